import { performance } from 'node:perf_hooks';
import { HubError, HubErrorCode } from '../errors.js';
import type { Backplane, Channel } from './backplane.js';
import type { ScaleoutMonitor } from './scaleout-monitor.js';

/** Unanswered publishes above which a send waits for the broker (backpressure). */
const MAX_UNANSWERED_PUBLISHES = 1024;

/**
 * One hub's side of the backplane: publishes with failure accounting (a failed publish is counted and
 * logged by the monitor, then either swallowed or turned into a HubError) and reads received payloads
 * with invalid-payload accounting.
 */
export class BackplaneLink {
  readonly backplane: Backplane;
  readonly hub: string;
  readonly serverId: string;
  readonly monitor: ScaleoutMonitor;
  /** Sends handed to the backplane whose publish has not been answered yet. */
  #unanswered = 0;

  constructor(backplane: Backplane, hub: string, monitor: ScaleoutMonitor) {
    this.backplane = backplane;
    this.hub = hub;
    this.serverId = backplane.serverId;
    this.monitor = monitor;
  }

  /** Publishes; a failure is counted and logged, never thrown (the payload is lost). */
  async publish(channel: Channel, payload: Uint8Array): Promise<boolean> {
    const start = performance.now();
    try {
      await this.backplane.publish(channel, payload);
    } catch (error) {
      this.monitor.publishFailed(error, { hub: this.hub, channel: channel.kind });
      return false;
    }
    this.monitor.published(this.hub, (performance.now() - start) / 1000);
    return true;
  }

  /**
   * Hands a message to the backplane without waiting for the broker's answer (a send never fails for
   * the backplane, so waiting would only cost a round trip per send); the backplane client keeps the
   * order. Past {@link MAX_UNANSWERED_PUBLISHES} unanswered publishes the caller waits for this one,
   * so a slow broker slows senders down instead of growing memory.
   */
  handOver(channel: Channel, payload: Uint8Array): Promise<void> {
    this.#unanswered++;
    const answered = this.publish(channel, payload).then(() => void this.#unanswered--);
    return this.#unanswered > MAX_UNANSWERED_PUBLISHES ? answered : Promise.resolve();
  }

  /** Publishes a request that needs an answer: a failure rejects with ERR_HUB_BACKPLANE_UNAVAILABLE. */
  async publishOrFail(channel: Channel, payload: Uint8Array, connectionId: string): Promise<void> {
    const start = performance.now();
    try {
      await this.backplane.publish(channel, payload);
    } catch (error) {
      this.monitor.publishFailed(error, { hub: this.hub, channel: channel.kind });
      const reason = error instanceof Error ? error.message : String(error);
      throw new HubError(
        HubErrorCode.BackplaneUnavailable,
        `The backplane could not reach the server holding connection '${connectionId}': ${reason}`,
        'IOException',
        { cause: error },
      );
    }
    this.monitor.published(this.hub, (performance.now() - start) / 1000);
  }

  /** Decodes a received payload; an unreadable one is counted, logged and dropped. */
  read<T>(payload: Uint8Array, channel: Channel, decode: (payload: Uint8Array) => T): T | undefined {
    this.monitor.received(this.hub);
    try {
      return decode(payload);
    } catch (error) {
      this.monitor.invalidPayload(error, { hub: this.hub, channel: channel.kind });
      return undefined;
    }
  }
}
