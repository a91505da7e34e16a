/** Where results go: `.bench-results/<scenario>-<timestamp>.{json,svg}`, and `--publish` copies for the README. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  /** 1-minute load average when the scenario started: how busy the machine was. */
  readonly loadAverage: number;
}

export function machineInfo(): MachineInfo {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

export function timestamp(date: Date): string {
  return date.toISOString().replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
}

/** Writes `<name>.json` and `<name>.svg` under `.bench-results/` of the working directory; returns the JSON path. */
export function writeResults(name: string, json: unknown, svg: string): string {
  const directory = join(process.cwd(), '.bench-results');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(directory, `${name}.svg`), svg);
  return join(directory, `${name}.json`);
}

/** Writes `<file>` under `.bench-results/`; returns its path. */
export function writeText(file: string, content: string): string {
  const directory = join(process.cwd(), '.bench-results');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, file), content);
  return join(directory, file);
}

/** `bench/results/`, the committed copies the README shows. */
export const publishedDirectory = fileURLToPath(new URL('../../results/', import.meta.url));

export function publish(file: string, content: string): string {
  mkdirSync(publishedDirectory, { recursive: true });
  const path = join(publishedDirectory, file);
  writeFileSync(path, content);
  return path;
}
