/**
 * Cross-server delivery: a sender on server A broadcasts to every other client; the receivers are
 * all on server B, so every message crosses the broker. Measured per system, side by side in one run:
 * - throughput: N broadcasts sent at once; deliveries per second until every receiver has all N;
 * - latency: broadcasts paced every few ms; send-to-receive time of every delivery (one clock: the
 *   sender and the receivers live in this process).
 */
import { performance } from 'node:perf_hooks';
import { median, percentile, round } from '../stats.js';
import { SocketIoSystem, SwitchyardSystem, type Sender, type SystemUnderTest } from '../systems.js';

export interface ClusterOptions {
  readonly receivers: number;
  readonly messages: number;
  readonly latencyMessages: number;
  readonly latencyIntervalMs: number;
  readonly payloadBytes: number;
  readonly runs: number;
  readonly redis: string;
  readonly nats: string;
}

export const clusterDefaults: ClusterOptions = {
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

export interface SystemResult {
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

export async function runCluster(options: ClusterOptions, log: (line: string) => void): Promise<Record<string, SystemResult>> {
  const systems: SystemUnderTest[] = [
    new SwitchyardSystem('switchyard + redis', options.redis),
    new SocketIoSystem(options.redis),
    new SwitchyardSystem('switchyard + nats', options.nats),
  ];
  const text = 'x'.repeat(options.payloadBytes);
  const prepared: Array<{ system: SystemUnderTest; sender: Sender; setRound: (round: Round) => void }> = [];
  try {
    for (const system of systems) {
      await system.start();
      let current = new Round(options.receivers);
      for (let i = 0; i < options.receivers; i++) await system.connectReceiver((seq) => current.onMessage(i, seq));
      const sender = await system.connectSender();
      const setRound = (next: Round): void => void (current = next);
      log(`${system.name}: warming up`);
      await measure(sender, setRound, options, text);
      prepared.push({ system, sender, setRound });
    }
    const runs = new Map<string, RunResult[]>(systems.map((system) => [system.name, []]));
    // Interleaved, so drift on a shared machine spreads over every system alike.
    for (let run = 1; run <= options.runs; run++) {
      for (const { system, sender, setRound } of prepared) {
        const result = await measure(sender, setRound, options, text);
        runs.get(system.name)!.push(result);
        log(`run ${run} ${system.name}: ${result.deliveriesPerSecond} deliveries/s, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms`);
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
