/**
 * Cross-server delivery: a sender on server A broadcasts to every other client; the receivers are
 * all on server B, so every message crosses the broker. Measured per system, side by side in one run:
 * - throughput: N broadcasts sent at once; deliveries per second until every receiver has all N;
 * - latency: broadcasts paced every few ms; send-to-receive time of every delivery (one clock: the
 *   sender and the receivers live in this process).
 */
import { performance } from 'node:perf_hooks';
import type { Progress } from '../harness/progress.js';
import type { Headline, Scenario } from '../harness/scenario.js';
import { median, percentile, round } from '../harness/stats.js';
import { SocketIoSystem, SwitchyardSystem, type Sender, type SystemUnderTest } from './cluster-systems.js';

interface ClusterOptions {
  readonly receivers: number;
  readonly messages: number;
  readonly latencyMessages: number;
  readonly latencyIntervalMs: number;
  readonly payloadBytes: number;
  readonly runs: number;
  readonly redis: string;
  readonly nats: string;
}

const clusterDefaults: ClusterOptions = {
  receivers: 20,
  messages: 2_000,
  latencyMessages: 200,
  latencyIntervalMs: 5,
  payloadBytes: 100,
  runs: 5,
  redis: 'redis://127.0.0.1:6379',
  nats: 'nats://127.0.0.1:4222',
};

interface RunResult {
  readonly deliveriesPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

interface SystemResult {
  readonly runs: RunResult[];
  readonly median: RunResult;
}

/** Routes every receiver's messages to the round under way. */
class Round {
  readonly counts: number[];
  readonly latencies: number[] = [];
  readonly sentAt = new Map<number, number>();
  #expected = 0;
  #done: () => void = () => {};

  constructor(receivers: number) {
    this.counts = new Array<number>(receivers).fill(0);
  }

  /** Resolves once every receiver got `expected` messages of this round. */
  complete(expected: number): Promise<void> {
    this.#expected = expected;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`round incomplete after 120 s: ${this.counts.join(',')}`)), 120_000);
      this.#done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#check();
    });
  }

  onMessage(receiver: number, seq: number): void {
    const sent = this.sentAt.get(seq);
    if (sent !== undefined) this.latencies.push(performance.now() - sent);
    this.counts[receiver]!++;
    this.#check();
  }

  #check(): void {
    if (this.#expected > 0 && this.counts.every((count) => count >= this.#expected)) this.#done();
  }
}

async function measure(sender: Sender, setRound: (round: Round) => void, options: ClusterOptions, text: string): Promise<RunResult> {
  // Throughput: everything at once.
  const flood = new Round(options.receivers);
  setRound(flood);
  const start = performance.now();
  const flooded = flood.complete(options.messages);
  for (let seq = 0; seq < options.messages; seq++) sender.broadcast(seq, text);
  await flooded;
  const seconds = (performance.now() - start) / 1000;

  // Latency: paced, so queues stay empty.
  const paced = new Round(options.receivers);
  setRound(paced);
  const received = paced.complete(options.latencyMessages);
  for (let seq = 0; seq < options.latencyMessages; seq++) {
    paced.sentAt.set(seq, performance.now());
    sender.broadcast(seq, text);
    await new Promise((resolve) => setTimeout(resolve, options.latencyIntervalMs));
  }
  await received;
  return {
    deliveriesPerSecond: round((options.messages * options.receivers) / seconds, 0),
    latencyP50Ms: round(percentile(paced.latencies, 0.5), 3),
    latencyP99Ms: round(percentile(paced.latencies, 0.99), 3),
  };
}

async function runCluster(options: ClusterOptions, progress: Progress): Promise<Record<string, SystemResult>> {
  const systems: SystemUnderTest[] = [
    new SwitchyardSystem('switchyard + redis', options.redis),
    new SocketIoSystem(options.redis),
    new SwitchyardSystem('switchyard + nats', options.nats),
  ];
  const text = 'x'.repeat(options.payloadBytes);
  const prepared: Array<{ system: SystemUnderTest; sender: Sender; setRound: (round: Round) => void }> = [];
  progress.start(systems.length * (1 + options.runs));
  try {
    for (const system of systems) {
      progress.step(`${system.name}: starting, connecting, warming up`);
      await system.start();
      let current = new Round(options.receivers);
      for (let i = 0; i < options.receivers; i++) await system.connectReceiver((seq) => current.onMessage(i, seq));
      const sender = await system.connectSender();
      const setRound = (next: Round): void => void (current = next);
      await measure(sender, setRound, options, text);
      prepared.push({ system, sender, setRound });
      progress.advance();
    }
    const runs = new Map<string, RunResult[]>(systems.map((system) => [system.name, []]));
    // Interleaved, so drift on a shared machine spreads over every system alike.
    for (let run = 1; run <= options.runs; run++) {
      for (const { system, sender, setRound } of prepared) {
        progress.step(`run ${run}/${options.runs}: ${system.name}`);
        const result = await measure(sender, setRound, options, text);
        runs.get(system.name)!.push(result);
        progress.note(`run ${run} ${system.name}: ${result.deliveriesPerSecond} deliveries/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms`);
        progress.advance();
      }
    }
    return Object.fromEntries(
      [...runs].map(([name, results]) => [
        name,
        {
          runs: results,
          median: {
            deliveriesPerSecond: median(results.map((r) => r.deliveriesPerSecond)),
            latencyP50Ms: median(results.map((r) => r.latencyP50Ms)),
            latencyP99Ms: median(results.map((r) => r.latencyP99Ms)),
          },
        },
      ]),
    );
  } finally {
    await Promise.all(systems.map((system) => system.stop().catch(() => {})));
  }
}

export const cluster: Scenario = {
  description: 'cross-server delivery through Redis and NATS vs Socket.IO + @socket.io/redis-adapter: throughput and latency',
  defaults: { ...clusterDefaults },
  quick: { receivers: 10, messages: 500, latencyMessages: 50, runs: 1 },
  async run({ options, progress }) {
    const clusterOptions = options as unknown as ClusterOptions;
    const results = await runCluster(clusterOptions, progress);
    const pick = (field: keyof RunResult): Record<string, number> => Object.fromEntries(Object.entries(results).map(([name, result]) => [name, result.median[field]]));
    const throughput = pick('deliveriesPerSecond');
    const headlines: Headline[] = [
      { metric: 'deliveries per second (1/s)', values: throughput },
      { metric: 'latency p50 (ms)', values: pick('latencyP50Ms') },
      { metric: 'latency p99 (ms)', values: pick('latencyP99Ms') },
    ];
    return {
      results,
      report: `sender on server A, ${clusterOptions.receivers} receivers on server B (servers in their own processes, clients in this one); ${clusterOptions.messages} broadcasts of ${clusterOptions.payloadBytes} B at once for throughput, ${clusterOptions.latencyMessages} paced every ${clusterOptions.latencyIntervalMs} ms for latency; medians of ${clusterOptions.runs} interleaved runs`,
      headlines,
    };
  },
};
