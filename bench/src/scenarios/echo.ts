/**
 * `echo`: M concurrent callers, each invoking a method that returns its argument, one call after the
 * other; round-trip p50 and p99 measured by the callers, server CPU per call.
 */
import { numberOptions } from '../harness/cli.js';
import { comparedSystems } from '../harness/deployment.js';
import { ratioTarget } from '../harness/report.js';
import { interleaveDeployments, medians } from '../harness/repeats.js';
import type { Headline, Scenario } from '../harness/scenario.js';
import { startScenario } from '../harness/start.js';
import { percentile } from '../harness/stats.js';

interface EchoRun {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly callsPerSecond: number;
  readonly cpuPerCallUs: number;
}

export const echo: Scenario = {
  description: 'M concurrent callers invoking a method: round-trip p50 and p99',
  defaults: { callers: 50, calls: 1_000, runs: 5, payloadBytes: 32, loadProcesses: 2 },
  quick: { callers: 20, calls: 50, runs: 1 },
  async run({ options, progress }) {
    const { callers, calls, runs, payloadBytes, loadProcesses } = numberOptions(options, ['callers', 'calls', 'runs', 'payloadBytes', 'loadProcesses']);
    await startScenario(progress, runs * comparedSystems.length);

    const results = await interleaveDeployments(
      comparedSystems,
      { runs, progress, loadProcesses, connections: callers },
      async (deployment): Promise<EchoRun> => {
        await deployment.echo(callers, Math.ceil(calls / 4), payloadBytes); // warm-up
        const { latencies, elapsedMs, cpuUs } = await deployment.echo(callers, calls, payloadBytes);
        return {
          p50Ms: percentile(latencies, 0.5),
          p99Ms: percentile(latencies, 0.99),
          callsPerSecond: latencies.length / (elapsedMs / 1000),
          cpuPerCallUs: cpuUs / latencies.length,
        };
      },
      (run) => `p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, ${Math.round(run.callsPerSecond)} calls/s, ${run.cpuPerCallUs.toFixed(1)} µs CPU per call`,
    );

    const p99 = medians(results, (run) => run.p99Ms);
    const headlines: Headline[] = [
      { metric: 'round trip p50 (ms)', values: medians(results, (run) => run.p50Ms) },
      { metric: 'round trip p99 (ms)', values: p99, target: ratioTarget(p99, 'switchyard', 'raw ws', '<=', 1.2) },
      { metric: 'calls per second (1/s)', values: medians(results, (run) => run.callsPerSecond) },
      { metric: 'server CPU per call (µs)', values: medians(results, (run) => run.cpuPerCallUs) },
    ];
    return {
      results: { runs: Object.fromEntries(results) },
      report: `${callers} concurrent callers × ${calls} calls each (${payloadBytes} B argument), ${loadProcesses} load processes; medians of ${runs} interleaved runs`,
      headlines,
    };
  },
};
