import { fitCanvas } from './dom.js';

export interface Series {
  readonly label: string;
  readonly colour: string;
  readonly values: readonly number[];
}

/** A tiny line with a soft fill under it, scaled to its own range. */
export function drawSparkline(canvas: HTMLCanvasElement, values: readonly number[], colour: string): void {
  const { context, width, height } = fitCanvas(canvas);
  context.clearRect(0, 0, width, height);
  if (values.length < 2) return;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (i: number): number => (i / (values.length - 1)) * width;
  const y = (v: number): number => height - 2 - ((v - min) / span) * (height - 4);
  context.beginPath();
  values.forEach((v, i) => (i === 0 ? context.moveTo(x(i), y(v)) : context.lineTo(x(i), y(v))));
  context.strokeStyle = colour;
  context.lineWidth = 1.5;
  context.stroke();
  context.lineTo(width, height);
  context.lineTo(0, height);
  context.closePath();
  context.globalAlpha = 0.15;
  context.fillStyle = colour;
  context.fill();
  context.globalAlpha = 1;
}

/** A time-series chart: `slots` points wide (one per second), y from 0 to a rounded maximum. */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], slots: number, unit: string): void {
  const { context, width, height } = fitCanvas(canvas);
  const left = 56;
  const bottom = height - 18;
  context.clearRect(0, 0, width, height);
  const peak = Math.max(1, ...series.flatMap((s) => s.values));
  const max = niceCeiling(peak);
  context.font = '11px system-ui, sans-serif';
  context.textAlign = 'right';
  context.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const y = 6 + ((bottom - 6) * i) / 4;
    context.strokeStyle = 'rgba(148, 163, 184, 0.15)';
    context.beginPath();
    context.moveTo(left, y);
    context.lineTo(width, y);
    context.stroke();
    context.fillStyle = '#8b9bb4';
    context.fillText(formatTick(max * (1 - i / 4), unit), left - 6, y);
  }
  context.textAlign = 'left';
  context.fillText('60 s ago', left, height - 6);
  context.textAlign = 'right';
  context.fillText('now', width - 2, height - 6);
  const x = (i: number, count: number): number => left + ((slots - count + i) / (slots - 1)) * (width - left - 2);
  const y = (v: number): number => bottom - (v / max) * (bottom - 6);
  for (const { colour, values } of series) {
    if (values.length === 0) continue;
    context.beginPath();
    values.forEach((v, i) => (i === 0 ? context.moveTo(x(i, values.length), y(v)) : context.lineTo(x(i, values.length), y(v))));
    context.strokeStyle = colour;
    context.lineWidth = 2;
    context.lineJoin = 'round';
    context.stroke();
  }
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 4, 6, 8, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function formatTick(value: number, unit: string): string {
  const rounded = value >= 10 ? Math.round(value) : Math.round(value * 100) / 100;
  return `${rounded}${unit}`;
}
