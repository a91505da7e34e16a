import type { Backplane, Channel, Unsubscribe } from './backplane.js';
import type { ScaleoutMonitor } from './scaleout-monitor.js';

/**
 * The backplane subscriptions a manager holds, one per key (`group:g`, `user:u`, `connection:id`).
 * Joining and leaving may interleave with the broker's confirmations: a release while the
 * subscription is still being made unsubscribes as soon as it exists, and a new subscription of the
 * same channel meanwhile is independent (the backplane contract).
 */
export class SubscriptionSet {
  readonly #backplane: Backplane;
  readonly #monitor: ScaleoutMonitor;
  readonly #hub: string;
  readonly #entries = new Map<string, Promise<Unsubscribe | undefined>>();

  constructor(backplane: Backplane, monitor: ScaleoutMonitor, hub: string) {
    this.#backplane = backplane;
    this.#monitor = monitor;
    this.#hub = hub;
  }

  /**
   * Subscribes `key` unless already subscribed; resolves once the broker confirmed (also for a
   * subscription another caller started). A refused subscription is counted and logged, never thrown:
   * local delivery does not depend on it.
   */
  async ensure(key: string, channel: Channel, onPayload: (payload: Uint8Array) => void): Promise<void> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = this.#backplane.subscribe(channel, onPayload).catch((error: unknown) => {
        this.#monitor.subscribeFailed(error, { hub: this.#hub, channel: channel.kind });
        // Forget it so that the next join tries again.
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        return undefined;
      });
      this.#entries.set(key, entry);
    }
    await entry;
  }

  /** Unsubscribes `key` (once its subscription exists). */
  release(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    void entry.then((unsubscribe) => unsubscribe?.()).catch(() => {
      // The broker is gone; the subscription died with the connection.
    });
  }

  /** Unsubscribes everything (manager disposal). */
  async releaseAll(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((entry) => entry.then((unsubscribe) => unsubscribe?.()).catch(() => {})));
  }
}
