import type { ClusterOptions, SystemResult } from './scenarios/cluster.js';
import { round } from './stats.js';

/** The cluster results as a table of medians, then ratios against Socket.IO on the same Redis. */
export function formatCluster(options: ClusterOptions, results: Record<string, SystemResult>): string {
  const lines = [
    `cluster: sender on server A, ${options.receivers} receivers on server B; ${options.messages} broadcasts of ${options.payloadBytes} B for throughput,`,
    `${options.latencyMessages} paced every ${options.latencyIntervalMs} ms for latency; medians of ${options.runs} runs`,
    '',
    `${'system'.padEnd(28)}${'deliveries/s'.padStart(14)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`,
  ];
  for (const [name, { median }] of Object.entries(results)) {
    lines.push(`${name.padEnd(28)}${String(median.deliveriesPerSecond).padStart(14)}${median.latencyP50Ms.toFixed(2).padStart(10)}${median.latencyP99Ms.toFixed(2).padStart(10)}`);
  }
  const baseline = results['socket.io + redis-adapter']?.median;
  if (baseline !== undefined) {
    lines.push('', 'ratios against socket.io + redis-adapter (throughput: higher is better; latency: lower is better)');
    for (const [name, { median }] of Object.entries(results)) {
      if (median === baseline) continue;
      lines.push(
        `${name.padEnd(28)}throughput x${round(median.deliveriesPerSecond / baseline.deliveriesPerSecond)}  p50 x${round(median.latencyP50Ms / baseline.latencyP50Ms)}  p99 x${round(median.latencyP99Ms / baseline.latencyP99Ms)}`,
      );
    }
  }
  return lines.join('\n');
}
