import type { CityLayout } from '../../src/contract.js';

/** Where the grid sits on the canvas: street `n` is at `origin + n * cell` (blocks stretch to fill the canvas). */
export interface CityFrame {
  readonly cellX: number;
  readonly cellY: number;
  readonly originX: number;
  readonly originY: number;
}

export function cityFrame(layout: CityLayout, width: number, height: number): CityFrame {
  const cellX = width / (layout.columns + 0.6);
  const cellY = height / (layout.rows + 0.6);
  return { cellX, cellY, originX: 0.3 * cellX, originY: 0.3 * cellY };
}

/**
 * Paints the stylised city (the part that never moves) onto an offscreen canvas once per size:
 * night-blue streets, blocks of buildings, a few parks and a river, no map tiles.
 */
export function paintCity(layout: CityLayout, width: number, height: number, ratio: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d');
  if (context === null) return canvas;
  context.scale(ratio, ratio);
  const { cellX, cellY, originX, originY } = cityFrame(layout, width, height);
  const cell = Math.min(cellX, cellY);
  context.fillStyle = '#0b1220';
  context.fillRect(0, 0, width, height);
  const parks = new Set(layout.parks.map(([c, r]) => `${c},${r}`));
  const inset = cell * 0.14;
  for (let column = 0; column < layout.columns; column++) {
    for (let row = 0; row < layout.rows; row++) {
      const x = originX + column * cellX + inset;
      const y = originY + row * cellY + inset;
      const park = parks.has(`${column},${row}`);
      context.fillStyle = park ? '#14532d' : '#1c2940';
      roundedRect(context, x, y, cellX - 2 * inset, cellY - 2 * inset, cell * 0.08);
      context.fill();
      if (!park) paintBuildings(context, x, y, cellX - 2 * inset, cellY - 2 * inset, column * 31 + row * 17);
    }
  }
  // Dashed centre lines on every street.
  context.strokeStyle = 'rgba(250, 204, 21, 0.12)';
  context.setLineDash([cell * 0.12, cell * 0.12]);
  context.lineWidth = 1;
  context.beginPath();
  for (let column = 0; column <= layout.columns; column++) {
    context.moveTo(originX + column * cellX, originY);
    context.lineTo(originX + column * cellX, originY + layout.rows * cellY);
  }
  for (let row = 0; row <= layout.rows; row++) {
    context.moveTo(originX, originY + row * cellY);
    context.lineTo(originX + layout.columns * cellX, originY + row * cellY);
  }
  context.stroke();
  context.setLineDash([]);
  return canvas;
}

/** A few lit rooftops per block, placed by a fixed pattern so the city looks the same every time. */
function paintBuildings(context: CanvasRenderingContext2D, x: number, y: number, width: number, height: number, seed: number): void {
  const parts = 2;
  const gap = Math.min(width, height) * 0.07;
  const partX = (width - gap * (parts + 1)) / parts;
  const partY = (height - gap * (parts + 1)) / parts;
  for (let i = 0; i < parts; i++) {
    for (let j = 0; j < parts; j++) {
      const shade = (seed * 7 + i * 13 + j * 29 + ((seed * i) % 3)) % 6;
      if (shade === 0) continue;
      context.fillStyle = ['#000', '#24344f', '#2a3b59', '#314466', '#273754', '#3a4f75'][shade]!;
      context.fillRect(x + gap + i * (partX + gap), y + gap + j * (partY + gap), partX, partY);
    }
  }
}

function roundedRect(context: CanvasRenderingContext2D, x: number, y: number, width: number, height: number, radius: number): void {
  context.beginPath();
  context.roundRect(x, y, width, height, radius);
}
