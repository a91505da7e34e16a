/** Whole-machine CPU time from /proc/stat, to see what the idle cluster costs beyond our processes (Redis, the kernel). */
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/** The aggregate `cpu` line of a /proc/stat text, in clock ticks; busy = all but idle and iowait. */
export function parseProcStat(stat: string): CpuTimes | undefined {
  const line = /^cpu\s+([\d\s]+)$/m.exec(stat);
  if (line === null) return undefined;
  const fields = line[1]!.trim().split(/\s+/).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

export function machineCpu(): CpuTimes | undefined {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Busy share of all cores between two samples (0..1), or NaN without /proc/stat. */
export function busyShare(before: CpuTimes | undefined, after: CpuTimes | undefined): number {
  if (before === undefined || after === undefined || after.total === before.total) return Number.NaN;
  return (after.busy - before.busy) / (after.total - before.total);
}
