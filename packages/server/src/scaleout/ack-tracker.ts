import type { Heartbeat, HeartbeatMember } from '../heartbeat.js';

interface PendingAck {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly onTimeout: () => Error;
  readonly deadline: number;
}

/**
 * Acknowledgements this server waits for from the server owning a connection (group commands,
 * client-result receipts). Ids are int32, as .NET's; deadlines are checked on the shared heartbeat
 * while anything is pending, never with a timer per ack.
 */
export class AckTracker implements HeartbeatMember {
  readonly #pending = new Map<number, PendingAck>();
  readonly #heartbeat: Heartbeat;
  readonly #timeoutMs: number;
  #lastId = 0;

  constructor(heartbeat: Heartbeat, timeoutMs: number) {
    this.#heartbeat = heartbeat;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * A new ack id and the promise its ack resolves. The promise rejects with `onTimeout()` after the
   * timeout; it is already handled, so leaving it unawaited never raises an unhandled rejection.
   */
  create(onTimeout: () => Error): { readonly id: number; readonly acked: Promise<void> } {
    this.#lastId = this.#lastId >= 0x7fffffff ? 1 : this.#lastId + 1;
    const id = this.#lastId;
    const acked = new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onTimeout, deadline: this.#heartbeat.touch() + this.#timeoutMs });
    });
    acked.catch(() => {});
    if (this.#pending.size === 1) this.#heartbeat.add(this);
    return { id, acked };
  }

  /** The owning server acknowledged. Unknown ids (late, or from before a restart) are ignored. */
  ack(id: number): void {
    this.#pending.get(id)?.resolve();
    this.#remove(id);
  }

  /** Stops waiting without settling (the operation ended another way). */
  cancel(id: number): void {
    this.#remove(id);
  }

  /** Rejects one pending ack now. */
  fail(id: number, error: Error): void {
    this.#pending.get(id)?.reject(error);
    this.#remove(id);
  }

  onHeartbeat(now: number): void {
    for (const [id, pending] of this.#pending) {
      if (pending.deadline > now) continue;
      this.#remove(id);
      pending.reject(pending.onTimeout());
    }
  }

  dispose(error: Error): void {
    for (const id of [...this.#pending.keys()]) this.fail(id, error);
    this.#heartbeat.delete(this);
  }

  #remove(id: number): void {
    if (!this.#pending.delete(id)) return;
    if (this.#pending.size === 0) this.#heartbeat.delete(this);
  }
}
