/**
 * A tiny SVG bar chart, no dependency: one panel per metric (each with its own scale and unit), one
 * bar per system, the value printed on each bar. Colours are fixed per system name so every chart
 * reads alike.
 */

export interface Bar {
  readonly label: string;
  readonly value: number;
}

export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
}

export interface Chart {
  readonly title: string;
  readonly subtitle?: string;
  readonly panels: readonly Panel[];
  /** Lines under the legend (the targets and whether they were met). */
  readonly notes?: readonly string[];
}

/** Fixed colours for the systems every chart shows; others take the palette in order. */
const known: Readonly<Record<string, string>> = { switchyard: '#2563eb', 'raw ws': '#6b7280', 'socket.io': '#f59e0b' };
const palette = ['#10b981', '#8b5cf6', '#ef4444', '#0ea5e9', '#84cc16', '#ec4899', '#14b8a6', '#a16207'];

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function label(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  return value.toPrecision(3);
}

/** Renders `chart` as a standalone SVG document. */
export function renderBarChart(chart: Chart): string {
  const systems = [...new Set(chart.panels.flatMap((panel) => panel.bars.map((bar) => bar.label)))];
  const others = systems.filter((system) => !(system in known));
  const colour = (system: string): string => known[system] ?? palette[others.indexOf(system) % palette.length]!;
  const widestBars = Math.max(1, ...chart.panels.map((panel) => panel.bars.length));
  const longestTitle = Math.max(0, ...chart.panels.map((panel) => panel.title.length));
  const panelWidth = Math.max(160, 40 + 56 * widestBars, 20 + 7.5 * longestTitle);
  const plotHeight = 180;
  const top = chart.subtitle === undefined ? 44 : 62;
  const legendHeight = 22 * Math.ceil(systems.length / 3);
  const notes = chart.notes ?? [];
  const width = Math.max(480, 10 * chart.title.length, 7 * Math.max(0, ...notes.map((note) => note.length)), panelWidth * chart.panels.length + 20);
  const notesTop = top + 30 + plotHeight + 30 + legendHeight;
  const height = notesTop + 18 * notes.length + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  if (chart.subtitle !== undefined) parts.push(`<text x="10" y="44" fill="#4b5563">${escapeXml(chart.subtitle)}</text>`);
  chart.panels.forEach((panel, index) => {
    const x0 = 10 + index * panelWidth;
    const baseline = top + 30 + plotHeight;
    const finite = panel.bars.map((bar) => bar.value).filter((value) => Number.isFinite(value) && value > 0);
    const max = finite.length === 0 ? 1 : Math.max(...finite);
    parts.push(`<text x="${x0 + panelWidth / 2 - 5}" y="${top + 4}" text-anchor="middle" font-weight="bold">${escapeXml(panel.title)}</text>`);
    parts.push(`<text x="${x0 + panelWidth / 2 - 5}" y="${top + 20}" text-anchor="middle" fill="#4b5563">${escapeXml(panel.unit)}</text>`);
    parts.push(`<line x1="${x0 + 10}" y1="${baseline}" x2="${x0 + panelWidth - 20}" y2="${baseline}" stroke="#111827"/>`);
    const slot = (panelWidth - 30) / Math.max(1, panel.bars.length);
    panel.bars.forEach((bar, barIndex) => {
      const value = Number.isFinite(bar.value) && bar.value > 0 ? bar.value : 0;
      const barHeight = (value / max) * (plotHeight - 16);
      const x = x0 + 15 + barIndex * slot + slot * 0.15;
      const barWidth = slot * 0.7;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(baseline - barHeight).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${colour(bar.label)}"><title>${escapeXml(`${bar.label}: ${label(bar.value)} ${panel.unit}`)}</title></rect>`,
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(baseline - barHeight - 4).toFixed(1)}" text-anchor="middle" font-size="11">${escapeXml(label(bar.value))}</text>`,
      );
    });
  });
  systems.forEach((system, index) => {
    const x = 10 + (index % 3) * ((width - 20) / 3);
    const y = top + 30 + plotHeight + 30 + Math.floor(index / 3) * 22;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y - 10}" width="12" height="12" fill="${colour(system)}"/>`);
    parts.push(`<text x="${(x + 18).toFixed(1)}" y="${y}">${escapeXml(system)}</text>`);
  });
  notes.forEach((note, index) => parts.push(`<text x="10" y="${notesTop + 12 + index * 18}" fill="#374151">${escapeXml(note)}</text>`));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
