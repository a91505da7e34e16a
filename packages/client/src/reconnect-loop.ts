/**
 * The automatic-reconnect loop: ask the policy for a delay, wait, try a new connection, repeat until
 * one attempt succeeds, the policy gives up, or the connection is stopped. The hub connection owns the
 * state; the loop reads it afresh after every wait, because listeners and stop() change it meanwhile.
 */
import { ClientError, ClientErrorCode, toError } from './errors.js';
import type { Logger } from './logger.js';
import type { ReconnectPolicy } from './reconnect-policy.js';

/** What the loop needs from the hub connection. */
export interface ReconnectHost {
  /** Still reconnecting (neither stopped nor closed meanwhile)? */
  readonly reconnecting: () => boolean;
  /** stop() was called: the loop must report the close itself. */
  readonly stopping: () => boolean;
  /** Enters the Reconnecting state and tells the listeners why. */
  readonly begin: (reason: Error) => void;
  /** One attempt: a full start (negotiate, transport, handshake). Enters Connected on success. */
  readonly attempt: () => Promise<void>;
  /** Reports the end: `undefined` after stop(), else why reconnecting failed. */
  readonly close: (error: Error | undefined) => void;
}

export class ReconnectLoop {
  readonly #policy: ReconnectPolicy;
  readonly #host: ReconnectHost;
  readonly #logger: Logger;
  #delay: { timer: ReturnType<typeof setTimeout>; wake(): void } | undefined;

  constructor(policy: ReconnectPolicy, host: ReconnectHost, logger: Logger) {
    this.#policy = policy;
    this.#host = host;
    this.#logger = logger;
  }

  /**
   * Ends a wait between attempts, if one is running. The loop then stops at its next state check.
   * @returns whether the loop was waiting (and the caller must report the close).
   */
  cancelDelay(): boolean {
    const delay = this.#delay;
    if (delay === undefined) return false;
    clearTimeout(delay.timer);
    delay.wake();
    return true;
  }

  /** Runs the loop after the connection was lost because of `lostBecause`. */
  async run(lostBecause: Error | undefined): Promise<void> {
    const host = this.#host;
    const startedAt = Date.now();
    let attempts = 0;
    let reason = lostBecause ?? new ClientError(ClientErrorCode.TransportClosed, 'The connection was lost.');
    let delayMs = this.#nextDelay(attempts, 0, reason);
    if (delayMs === null) {
      host.close(lostBecause);
      return;
    }
    this.#logger.info(`Connection lost (${reason.message}); reconnecting.`);
    host.begin(reason);
    while (delayMs !== null) {
      if (!host.reconnecting()) {
        // A reconnecting listener called stop(): nothing in flight would report the close.
        if (host.stopping()) host.close(undefined);
        return;
      }
      await this.#sleep(delayMs);
      // stop() during the wait reported the close already (cancelDelay).
      if (!host.reconnecting()) return;
      try {
        await host.attempt();
        this.#logger.info('Reconnected.');
        return;
      } catch (error) {
        if (!host.reconnecting()) {
          // stop() during the attempt made it fail; nothing else reports the close.
          if (host.stopping()) host.close(undefined);
          return;
        }
        attempts++;
        reason = toError(error);
        this.#logger.info(`Reconnect attempt ${attempts} failed: ${reason.message}`);
        delayMs = this.#nextDelay(attempts, Date.now() - startedAt, reason);
      }
    }
    host.close(new ClientError(
      ClientErrorCode.ReconnectFailed,
      `Reconnect retries have been exhausted after ${Date.now() - startedAt} ms and ${attempts} failed attempts.`,
      { cause: reason },
    ));
  }

  #nextDelay(previousRetryCount: number, elapsedMs: number, retryReason: Error): number | null {
    try {
      return this.#policy.nextRetryDelayMs({ previousRetryCount, elapsedMs, retryReason });
    } catch (error) {
      // A broken policy must not leave the connection hanging in Reconnecting.
      this.#logger.error(`The reconnect policy threw: ${toError(error).message}`);
      return null;
    }
  }

  #sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#delay = undefined;
        resolve();
      };
      this.#delay = { timer: setTimeout(wake, delayMs), wake };
    });
  }
}
