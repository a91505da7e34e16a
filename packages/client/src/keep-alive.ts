/**
 * Keep-alive pings and the server timeout, as the official client runs them:
 *
 * - a Ping goes out when nothing was sent for `keepAliveIntervalMs`. The ping timer is only ever set
 *   from a receive callback, never from another timer: browsers throttle chained timers in background
 *   tabs to once a minute, which would starve the server of pings and get us dropped;
 * - the connection fails when nothing arrived for `serverTimeoutMs`. Receipts only record the time;
 *   one timer re-arms itself for the remainder, instead of a clear + set per received chunk.
 */
export interface KeepAliveOptions {
  readonly keepAliveIntervalMs: number;
  readonly serverTimeoutMs: number;
  /** Sends a Ping (and reports back through {@link KeepAlive.sent}). */
  readonly sendPing: () => void;
  readonly onServerTimeout: () => void;
}

export class KeepAlive {
  readonly #options: KeepAliveOptions;
  #running = false;
  #nextPingAt = 0;
  #lastReceivedAt = 0;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;
  #timeoutTimer: ReturnType<typeof setTimeout> | undefined;

  readonly #onPingTimer = (): void => {
    this.#pingTimer = undefined;
    // Sent something since the timer was set: not due yet; the next receipt schedules again.
    if (this.#running && Date.now() >= this.#nextPingAt) this.#options.sendPing();
  };

  constructor(options: KeepAliveOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running = true;
    this.#lastReceivedAt = Date.now();
    this.#armTimeout(this.#options.serverTimeoutMs);
    this.sent();
  }

  stop(): void {
    this.#running = false;
    if (this.#pingTimer !== undefined) clearTimeout(this.#pingTimer);
    if (this.#timeoutTimer !== undefined) clearTimeout(this.#timeoutTimer);
    this.#pingTimer = undefined;
    this.#timeoutTimer = undefined;
  }

  /**
   * Something was sent: the next ping is due one interval from now. A ping timer already set stays:
   * when it fires early it does nothing, and the next receipt sets a new one (no timer work per send).
   */
  sent(): void {
    this.#nextPingAt = Date.now() + this.#options.keepAliveIntervalMs;
  }

  /** Something arrived: the server is alive; ping now if one is overdue, else make sure one is scheduled. */
  received(): void {
    if (!this.#running) return;
    const now = Date.now();
    this.#lastReceivedAt = now;
    const untilPing = this.#nextPingAt - now;
    if (untilPing <= 0) {
      this.#options.sendPing();
      return;
    }
    this.#pingTimer ??= setTimeout(this.#onPingTimer, untilPing);
  }

  #armTimeout(delayMs: number): void {
    this.#timeoutTimer = setTimeout(() => {
      this.#timeoutTimer = undefined;
      if (!this.#running) return;
      const idleMs = Date.now() - this.#lastReceivedAt;
      if (idleMs >= this.#options.serverTimeoutMs) this.#options.onServerTimeout();
      else this.#armTimeout(this.#options.serverTimeoutMs - idleMs);
    }, delayMs);
  }
}
