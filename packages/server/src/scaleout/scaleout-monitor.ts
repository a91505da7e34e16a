import { noInstrumentation, type SwitchyardInstrumentation } from '../instrumentation.js';
import type { Logger } from '../logger.js';

/** Counters of one app's backplane traffic since it started (see `Switchyard.backplaneStats`). */
export interface BackplaneStats {
  /** Payloads the broker took. */
  readonly published: number;
  /**
   * Payloads the broker refused or could not take (unreachable, too large). Each is a message lost
   * for the recipients on other servers; nothing is retried.
   */
  readonly publishFailures: number;
  /** Payloads received from the broker (including this server's own, which are skipped). */
  readonly received: number;
  /** Received payloads that could not be read (another app on the same channels, a bug). Dropped. */
  readonly invalidPayloads: number;
  /** Subscriptions the backplane refused (not outages: those are restored when the broker returns). */
  readonly subscribeFailures: number;
  /** Group changes and client results that no server acknowledged within `backplaneAckTimeoutMs`. */
  readonly ackTimeouts: number;
}

type MutableStats = { -readonly [K in keyof BackplaneStats]: BackplaneStats[K] };

/**
 * Counts and logs backplane trouble for every hub of an app. A broker outage fails every publish:
 * the first failure is logged as an error, the rest at debug level, and the first success afterwards
 * logs how many were lost, so an outage costs two log lines, not one per message.
 */
export class ScaleoutMonitor {
  readonly #stats: MutableStats = {
    published: 0,
    publishFailures: 0,
    received: 0,
    invalidPayloads: 0,
    subscribeFailures: 0,
    ackTimeouts: 0,
  };
  readonly #logger: Logger;
  readonly #instrumentation: SwitchyardInstrumentation;
  /** Failures since the last successful publish; > 0 means an outage is under way. */
  #failingSince = 0;

  constructor(logger: Logger, instrumentation: SwitchyardInstrumentation = noInstrumentation) {
    this.#logger = logger;
    this.#instrumentation = instrumentation;
  }

  /** A copy of the counters. */
  get stats(): BackplaneStats {
    return { ...this.#stats };
  }

  /** A publish the broker took, for `hub`, after `seconds`. */
  published(hub: string, seconds: number): void {
    this.#stats.published++;
    this.#instrumentation.backplanePublished(hub, seconds);
    if (this.#failingSince === 0) return;
    this.#logger.info({ lost: this.#failingSince }, `backplane publishing recovered after ${this.#failingSince} failed publish(es)`);
    this.#failingSince = 0;
  }

  publishFailed(error: unknown, context: { readonly hub: string; readonly channel: string }): void {
    this.#stats.publishFailures++;
    this.#instrumentation.backplanePublishFailed(context.hub);
    if (this.#failingSince++ === 0) {
      this.#logger.error(
        { ...context, err: error },
        'backplane publish failed: messages for other servers are lost until the broker is back (local delivery continues)',
      );
    } else {
      this.#logger.debug({ ...context, err: error }, 'backplane publish failed');
    }
  }

  received(hub: string): void {
    this.#stats.received++;
    this.#instrumentation.backplaneReceived(hub);
  }

  invalidPayload(error: unknown, context: { readonly hub: string; readonly channel: string }): void {
    this.#stats.invalidPayloads++;
    this.#logger.warn({ ...context, err: error }, 'dropped an unreadable backplane payload');
  }

  subscribeFailed(error: unknown, context: { readonly hub: string; readonly channel: string }): void {
    this.#stats.subscribeFailures++;
    this.#logger.error({ ...context, err: error }, 'backplane subscription failed');
  }

  /** Connections whose protocol another server's message had no encoding for (servers disagree on protocols). */
  undeliverable(count: number, context: { readonly hub: string; readonly channel: string }): void {
    this.#logger.warn({ ...context, count }, 'a message from another server has no encoding for some connections\' protocol: every server must offer the same protocols');
  }

  ackTimedOut(): void {
    this.#stats.ackTimeouts++;
  }
}
