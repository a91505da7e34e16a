/**
 * One timer for every connection: each tick visits the registered members (keep-alive, client timeout,
 * handshake timeout, client-result timeouts) instead of arming a timer per connection or per message.
 * The timer runs only while there are members and never keeps the process alive by itself.
 */
import { performance } from 'node:perf_hooks';

/** Something checked on every tick. */
export interface HeartbeatMember {
  /** `now` is {@link Heartbeat.now}: milliseconds on a monotonic clock. */
  onHeartbeat(now: number): void;
}

export class Heartbeat {
  readonly #members = new Set<HeartbeatMember>();
  readonly #manual: boolean;
  #periodMs: number;
  #timer: NodeJS.Timeout | undefined;
  // Whole milliseconds: every connection stores a few of these, and V8 keeps small integers in the
  // object itself where a fractional number costs a 16-byte heap box per field (and per update).
  #now = Math.floor(performance.now());

  /**
   * @param periodMs tick period; lowered later by {@link requirePeriod}.
   * @param manual when true no timer runs and ticks come only from {@link tick} (tests).
   */
  constructor(periodMs = 1000, manual = false) {
    this.#periodMs = periodMs;
    this.#manual = manual;
  }

  /** The clock members compare against (whole ms): updated on every tick and by {@link touch}. */
  get now(): number {
    return this.#now;
  }

  /** Reads the monotonic clock (unless manual) and returns it; cheaper than a timer per event. */
  touch(): number {
    if (!this.#manual) this.#now = Math.floor(performance.now());
    return this.#now;
  }

  /** Ticks at least every `periodMs` from now on. */
  requirePeriod(periodMs: number): void {
    if (periodMs >= this.#periodMs) return;
    this.#periodMs = periodMs;
    if (this.#timer !== undefined) {
      this.#stop();
      this.#start();
    }
  }

  add(member: HeartbeatMember): void {
    this.#members.add(member);
    if (this.#timer === undefined && !this.#manual) this.#start();
  }

  delete(member: HeartbeatMember): void {
    this.#members.delete(member);
    if (this.#members.size === 0) this.#stop();
  }

  /** Runs one tick now; with `now` given (manual heartbeats) the clock jumps to it. */
  tick(now?: number): void {
    this.#now = now ?? Math.floor(performance.now());
    for (const member of this.#members) member.onHeartbeat(this.#now);
  }

  /** Stops the timer; members stay registered (used by app close). */
  dispose(): void {
    this.#stop();
    this.#members.clear();
  }

  #start(): void {
    this.#timer = setInterval(() => this.tick(), this.#periodMs);
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
