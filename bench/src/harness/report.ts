/** Tables (terminal and markdown) and charts from a scenario's headlines. */
import type { Headline } from './scenario.js';
import { formatNumber, ratio, round } from './stats.js';
import type { Chart } from './svg.js';

/** Systems in the order they first appear in `rows`. */
export function systemsOf(rows: readonly Headline[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row.values)))];
}

/** Fixed-width table: one row per metric, one column per system, then the target. */
export function textTable(rows: readonly Headline[]): string {
  const systems = systemsOf(rows);
  const first = Math.max(8, ...rows.map((row) => row.metric.length)) + 2;
  const width = Math.max(12, ...systems.map((system) => system.length + 2));
  const lines = [`${'metric'.padEnd(first)}${systems.map((system) => system.padStart(width)).join('')}`];
  for (const row of rows) {
    const cells = systems.map((system) => (system in row.values ? formatNumber(row.values[system]!) : '').padStart(width));
    const target = row.target === undefined ? '' : `   ${row.target.met ? 'MET' : 'MISSED'}: ${row.target.text}`;
    lines.push(`${row.metric.padEnd(first)}${cells.join('')}${target}`);
  }
  return lines.join('\n');
}

/** The same as a markdown table (for the README). */
export function markdownTable(rows: readonly Headline[]): string {
  const systems = systemsOf(rows);
  const lines = [`| metric | ${systems.join(' | ')} |`, `| --- | ${systems.map(() => '---:').join(' | ')} |`];
  for (const row of rows) {
    lines.push(`| ${row.metric} | ${systems.map((system) => (system in row.values ? formatNumber(row.values[system]!) : '')).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Every target of every scenario as a markdown table. */
export function targetsMarkdown(scenarios: ReadonlyArray<{ name: string; headlines: readonly Headline[] }>): string {
  const lines = ['| scenario | metric | target: measured | result |', '| --- | --- | --- | --- |'];
  for (const { name, headlines } of scenarios) {
    for (const row of headlines) {
      if (row.target !== undefined) lines.push(`| ${name} | ${row.metric} | ${row.target.text} | ${row.target.met ? 'met' : 'missed'} |`);
    }
  }
  return lines.join('\n');
}

/** A target on the ratio `a / b` of two systems' values of one metric: met when within `limit`. */
export function ratioTarget(values: Readonly<Record<string, number>>, a: string, b: string, comparison: '<=' | '>=', limit: number): { text: string; met: boolean } {
  const value = ratio(values[a]!, values[b]!);
  const met = comparison === '<=' ? value <= limit : value >= limit;
  return { text: `${a} / ${b} ${comparison === '<=' ? '≤' : '≥'} ${limit}: ${Number.isFinite(value) ? round(value, 2) : 'n/a'}`, met };
}

/** Ratio lines against a baseline system, for the terminal. */
export function ratioLines(rows: readonly Headline[], baseline: string): string {
  const lines: string[] = [];
  for (const row of rows) {
    const base = row.values[baseline];
    if (base === undefined) continue;
    const parts = Object.entries(row.values)
      .filter(([system]) => system !== baseline)
      .map(([system, value]) => `${system} ×${formatNumber(ratio(value, base))}`);
    if (parts.length > 0) lines.push(`${row.metric}, against ${baseline}: ${parts.join(', ')}`);
  }
  return lines.join('\n');
}

/** One chart panel per headline, one bar per system. */
export function chartOf(title: string, subtitle: string, rows: readonly Headline[]): Chart {
  return {
    title,
    subtitle,
    panels: rows.map((row) => {
      const unit = /\(([^)]*)\)\s*$/.exec(row.metric)?.[1] ?? '';
      return { title: row.metric.replace(/\s*\([^)]*\)\s*$/, ''), unit, bars: Object.entries(row.values).map(([label, value]) => ({ label, value })) };
    }),
    notes: rows.flatMap((row) => (row.target === undefined ? [] : [`target ${row.target.met ? 'met' : 'missed'}: ${row.metric}, ${row.target.text}`])),
  };
}
