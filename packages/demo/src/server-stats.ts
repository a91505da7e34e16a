import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MonitorSample, Transport } from './contract.js';

const HISTORY_SECONDS = 60;
/** The histogram's sampling period: each value it records is this period plus the delay, so it is subtracted. */
const LOOP_RESOLUTION_MS = 10;

/**
 * The demo server's own vital signs: connections by transport and hub messages in and out (fed by
 * the demo's instrumentation), memory and event-loop delay, sampled once a second with the last
 * minute kept.
 */
export class ServerStats {
  readonly #instance: string;
  readonly #connections: Record<Transport, number> = { WebSockets: 0, ServerSentEvents: 0, LongPolling: 0 };
  readonly #loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  readonly #history: MonitorSample[] = [];
  readonly #listeners = new Set<(sample: MonitorSample) => void>();
  readonly #timer: NodeJS.Timeout;
  #messagesIn = 0;
  #messagesOut = 0;

  constructor(instance: string) {
    this.#instance = instance;
    this.#loopDelay.enable();
    this.#timer = setInterval(() => this.#sample(), 1000);
    this.#timer.unref();
  }

  connected(transport: Transport): void {
    this.#connections[transport]++;
  }

  disconnected(transport: Transport): void {
    this.#connections[transport]--;
  }

  received(count = 1): void {
    this.#messagesIn += count;
  }

  sent(count = 1): void {
    this.#messagesOut += count;
  }

  history(): MonitorSample[] {
    return [...this.#history];
  }

  /** Calls `listener` with every new sample until the returned function is called. */
  onSample(listener: (sample: MonitorSample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#loopDelay.disable();
    this.#listeners.clear();
  }

  #sample(): void {
    const memory = process.memoryUsage();
    const ms = (ns: number): number => Math.round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100;
    const sample: MonitorSample = {
      at: Date.now(),
      instance: this.#instance,
      connections: { ...this.#connections },
      messagesIn: this.#messagesIn,
      messagesOut: this.#messagesOut,
      rssMb: Math.round(memory.rss / 104_857.6) / 10,
      heapUsedMb: Math.round(memory.heapUsed / 104_857.6) / 10,
      loopDelayP50Ms: ms(this.#loopDelay.percentile(50)),
      loopDelayP99Ms: ms(this.#loopDelay.percentile(99)),
      loopDelayMaxMs: ms(this.#loopDelay.max),
    };
    this.#messagesIn = 0;
    this.#messagesOut = 0;
    this.#loopDelay.reset();
    this.#history.push(sample);
    if (this.#history.length > HISTORY_SECONDS) this.#history.shift();
    for (const listener of this.#listeners) listener(sample);
  }
}
