/**
 * `fanout`: one message per event-loop turn to N connections. Server CPU per delivery over a stream
 * of such turns (one turn right after the other), and the time from a single send until the last
 * receiver has it (one message at a time, each after the previous one fully arrived).
 */
import { numberOptions } from '../harness/cli.js';
import { comparedSystems } from '../harness/deployment.js';
import { ratioTarget } from '../harness/report.js';
import { interleaveDeployments, medians } from '../harness/repeats.js';
import type { Headline, Scenario } from '../harness/scenario.js';
import { startScenario } from '../harness/start.js';
import { median } from '../harness/stats.js';

interface FanoutRun {
  readonly cpuPerDeliveryUs: number;
  readonly deliveriesPerSecond: number;
  readonly writesPerDelivery: number;
  readonly lastReceiverMs: number;
}

export const fanout: Scenario = {
  description: 'one message per event-loop turn to N connections: server CPU per delivery, time until the last receiver has it',
  defaults: { connections: 1_000, messages: 300, latencyRounds: 30, runs: 5, payloadBytes: 32, loadProcesses: 2 },
  quick: { connections: 200, messages: 50, latencyRounds: 5, runs: 1 },
  async run({ options, progress }) {
    const { connections, messages, latencyRounds, runs, payloadBytes, loadProcesses } = numberOptions(options, ['connections', 'messages', 'latencyRounds', 'runs', 'payloadBytes', 'loadProcesses']);
    await startScenario(progress, runs * comparedSystems.length);

    const results = await interleaveDeployments(
      comparedSystems,
      { runs, progress, loadProcesses, connections },
      async (deployment): Promise<FanoutRun> => {
        await deployment.round({ perTurn: 1, turns: Math.ceil(messages / 4), payloadBytes }); // warm-up
        const stream = await deployment.round({ perTurn: 1, turns: messages, payloadBytes });
        const deliveries = messages * connections;
        const latencies: number[] = [];
        for (let i = 0; i < latencyRounds; i++) {
          const single = await deployment.round({ perTurn: 1, turns: 1, payloadBytes });
          latencies.push(single.lastAt - single.sentAt[0]!);
        }
        return {
          cpuPerDeliveryUs: stream.cpuUs / deliveries,
          deliveriesPerSecond: deliveries / ((stream.lastAt - stream.sentAt[0]!) / 1000),
          writesPerDelivery: stream.writes / deliveries,
          lastReceiverMs: median(latencies),
        };
      },
      (run) => `${run.cpuPerDeliveryUs.toFixed(2)} µs CPU per delivery, ${Math.round(run.deliveriesPerSecond)} deliveries/s, last receiver after ${run.lastReceiverMs.toFixed(2)} ms`,
    );

    const cpu = medians(results, (run) => run.cpuPerDeliveryUs);
    const headlines: Headline[] = [
      { metric: 'server CPU per delivery (µs)', values: cpu, target: ratioTarget(cpu, 'switchyard', 'raw ws', '<=', 1) },
      { metric: 'time until the last receiver has it (ms)', values: medians(results, (run) => run.lastReceiverMs) },
      { metric: 'deliveries per second (1/s)', values: medians(results, (run) => run.deliveriesPerSecond) },
      { metric: 'socket writes per delivery (writes)', values: medians(results, (run) => run.writesPerDelivery) },
    ];
    return {
      results: { runs: Object.fromEntries(results) },
      report: `${connections} connections; ${messages} messages of ${payloadBytes} B, one per event-loop turn, for CPU and throughput; ${latencyRounds} single messages for the last receiver's time; medians of ${runs} interleaved runs`,
      headlines,
    };
  },
};
