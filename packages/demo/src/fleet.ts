import type { CityLayout, FleetFrame, VehicleKind } from './contract.js';
import { hash01 } from './noise.js';

const COLUMNS = 24;
const ROWS = 14;
const VEHICLE_COUNT = 320;
/** Frames per second of the server stream. */
export const FLEET_FRAMES_PER_SECOND = 5;

/** How fast each kind goes, in blocks per second, and how big its loop is, in blocks. */
const KINDS: Readonly<Record<VehicleKind, { share: number; speed: number; loop: readonly [number, number] }>> = {
  taxi: { share: 0.45, speed: 0.9, loop: [2, 8] },
  van: { share: 0.3, speed: 0.6, loop: [1, 6] },
  bus: { share: 0.1, speed: 0.35, loop: [6, 14] },
  bike: { share: 0.15, speed: 0.25, loop: [1, 3] },
};

/** A vehicle drives round a rectangle of streets forever: a pure function of time, the same on every server. */
interface Route {
  readonly kind: VehicleKind;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly clockwise: boolean;
  readonly speed: number;
  readonly phase: number;
}

function kindOf(roll: number): VehicleKind {
  let sum = 0;
  for (const [kind, { share }] of Object.entries(KINDS) as [VehicleKind, (typeof KINDS)[VehicleKind]][]) {
    sum += share;
    if (roll < sum) return kind;
  }
  return 'taxi';
}

function routeOf(index: number): Route {
  const kind = kindOf(hash01(index, 1));
  const [min, max] = KINDS[kind].loop;
  const width = Math.min(COLUMNS, min + Math.floor(hash01(index, 2) * (max - min + 1)));
  const height = Math.min(ROWS, min + Math.floor(hash01(index, 3) * (Math.min(max, ROWS) - min + 1)));
  return {
    kind,
    width,
    height,
    x: Math.floor(hash01(index, 4) * (COLUMNS - width + 1)),
    y: Math.floor(hash01(index, 5) * (ROWS - height + 1)),
    clockwise: hash01(index, 6) < 0.5,
    speed: KINDS[kind].speed * (0.7 + 0.6 * hash01(index, 7)),
    phase: hash01(index, 8) * 2 * (width + height),
  };
}

const ROUTES: readonly Route[] = Array.from({ length: VEHICLE_COUNT }, (_, index) => routeOf(index));

export const CITY: CityLayout = {
  columns: COLUMNS,
  rows: ROWS,
  parks: [[3, 2], [4, 2], [15, 9], [16, 9], [15, 10], [16, 10], [9, 11], [20, 3]],
  vehicles: ROUTES.map((route) => route.kind),
};

/** Where a route is after driving `distance` blocks: along its rectangle, keeping to its side of the street. */
function positionOn(route: Route, distance: number): [number, number] {
  const { width: w, height: h } = route;
  let d = distance % (2 * (w + h));
  if (!route.clockwise) d = 2 * (w + h) - d;
  let x: number;
  let y: number;
  let dx: number;
  let dy: number;
  if (d < w) [x, y, dx, dy] = [d, 0, 1, 0];
  else if (d < w + h) [x, y, dx, dy] = [w, d - w, 0, 1];
  else if (d < 2 * w + h) [x, y, dx, dy] = [2 * w + h - d, h, -1, 0];
  else [x, y, dx, dy] = [0, 2 * (w + h) - d, 0, -1];
  if (!route.clockwise) [dx, dy] = [-dx, -dy];
  // Drive on the right: offset a little to the right of the heading (screen y grows downwards).
  const lane = 0.07;
  return [route.x + x - dy * lane, route.y + y + dx * lane];
}

export function fleetFrame(now: number): FleetFrame {
  const seconds = now / 1000;
  const positions: number[] = [];
  for (const route of ROUTES) {
    const [x, y] = positionOn(route, route.phase + seconds * route.speed);
    positions.push(Math.round(x * 100), Math.round(y * 100));
  }
  return { at: now, positions };
}
