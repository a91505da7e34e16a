import type { CityLayout, FleetFrame, VehicleKind } from '../../src/contract.js';
import { cityFrame, paintCity } from './city-painter.js';
import { byId, el, fitCanvas, RateMeter } from './dom.js';
import { follow, type Live } from './live.js';

const COLOURS: Readonly<Record<VehicleKind, string>> = {
  taxi: '#facc15',
  van: '#38bdf8',
  bus: '#f472b6',
  bike: '#4ade80',
};

/**
 * The fleet view: vehicles drawn where the server says they are. Frames come five times a second;
 * between two frames each vehicle glides from its previous position, so the motion looks smooth.
 */
export function startFleet(live: Live, isVisible: () => boolean): void {
  const canvas = byId<HTMLCanvasElement>('fleet-map');
  const rate = new RateMeter();
  let layout: CityLayout | undefined;
  let background: { canvas: HTMLCanvasElement; key: string } | undefined;
  let previous: FleetFrame | undefined;
  let current: FleetFrame | undefined;
  let receivedAt = 0;
  let frameGap = 200;

  const onFrame = (frame: FleetFrame): void => {
    rate.tick();
    const now = performance.now();
    if (current !== undefined) frameGap = Math.min(1000, Math.max(50, frame.at - current.at));
    previous = current;
    current = frame;
    receivedAt = now;
  };

  const draw = (): void => {
    requestAnimationFrame(draw);
    if (!isVisible() || layout === undefined) return;
    const { context, width, height } = fitCanvas(canvas);
    const ratio = window.devicePixelRatio || 1;
    const key = `${width}x${height}@${ratio}`;
    if (background?.key !== key) background = { canvas: paintCity(layout, width, height, ratio), key };
    context.drawImage(background.canvas, 0, 0, width, height);
    if (current === undefined) return;
    const { cellX, cellY, originX, originY } = cityFrame(layout, width, height);
    const t = Math.min(1, (performance.now() - receivedAt) / frameGap);
    const radius = Math.max(2, Math.min(cellX, cellY) * 0.085);
    layout.vehicles.forEach((kind, index) => {
      const x1 = current!.positions[index * 2]!;
      const y1 = current!.positions[index * 2 + 1]!;
      const x0 = previous?.positions[index * 2] ?? x1;
      const y0 = previous?.positions[index * 2 + 1] ?? y1;
      const x = originX + ((x0 + (x1 - x0) * t) / 100) * cellX;
      const y = originY + ((y0 + (y1 - y0) * t) / 100) * cellY;
      context.fillStyle = COLOURS[kind];
      context.globalAlpha = 0.25;
      context.beginPath();
      context.arc(x, y, radius * 2, 0, Math.PI * 2);
      context.fill();
      context.globalAlpha = 1;
      context.beginPath();
      context.arc(x, y, kind === 'bus' ? radius * 1.3 : radius, 0, Math.PI * 2);
      context.fill();
    });
    byId('fleet-rate').textContent = `${layout.vehicles.length} vehicles · ${rate.perSecond().toFixed(1)} frames/s received`;
  };

  live.onReady((connection) => {
    void connection.invoke('city').then((city) => {
      if (layout === undefined) renderLegend(city);
      layout = city;
      background = undefined;
      return follow(connection.stream('fleet'), onFrame);
    }, () => {});
  });
  requestAnimationFrame(draw);
}

function renderLegend(layout: CityLayout): void {
  const counts = new Map<VehicleKind, number>();
  for (const kind of layout.vehicles) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  byId('fleet-legend').replaceChildren(...[...counts].map(([kind, count]) => {
    const swatch = el('span', { className: 'swatch' });
    swatch.style.background = COLOURS[kind];
    return el('li', {}, swatch, `${kind} · ${count}`);
  }));
}
