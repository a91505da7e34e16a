/** This machine's limits for a many-connection run, read from /proc (Linux). */
import { readFileSync } from 'node:fs';
import type { MachineLimits, PortRange } from './plan.js';

/** The soft open-file limit from a /proc/<pid>/limits text, or undefined when absent or unlimited. */
export function parseOpenFileLimit(limits: string): number | undefined {
  const match = /^Max open files\s+(\d+)/m.exec(limits);
  return match === null ? undefined : Number(match[1]);
}

/** The ports of an `ip_local_port_range` text ("32768\t60999"). */
export function parsePortRange(range: string): PortRange | undefined {
  const match = /^\s*(\d+)[\s-]+(\d+)\s*$/.exec(range);
  return match === null ? undefined : { first: Number(match[1]), last: Number(match[2]) };
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Read off this machine; Linux defaults (1024 files, ephemeral ports 32768-60999) where /proc does not say. */
export function machineLimits(): MachineLimits & { ephemeralPorts: PortRange; somaxconn: number | undefined } {
  const somaxconn = Number.parseInt(read('/proc/sys/net/core/somaxconn'), 10);
  return {
    filesPerProcess: parseOpenFileLimit(read('/proc/self/limits')) ?? 1024,
    ephemeralPorts: parsePortRange(read('/proc/sys/net/ipv4/ip_local_port_range')) ?? { first: 32_768, last: 60_999 },
    somaxconn: Number.isNaN(somaxconn) ? undefined : somaxconn,
  };
}
