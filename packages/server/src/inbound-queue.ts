/**
 * Inbound flow of one hub connection. Messages are dispatched in order as they are parsed; when a
 * non-streaming invocation must wait for a parallel-invocation slot (or onConnected is still running),
 * the rest of the batch becomes the backlog and the connection stops reading until it drains: .NET's
 * blocking read loop, without a queue entry per message. Upload streams over capacity pause reading
 * through the same counter.
 */
import type { HubMessage } from '@switchyard/protocol';
import type { InboundFlowControl } from './upload-stream.js';

/** What the queue needs from its connection. */
export interface InboundQueueOwner {
  /** True while messages may be dispatched (onConnected done, connection not closed). */
  readonly dispatching: boolean;
  /** Handles one message; false when it is an invocation that must wait for a slot. */
  dispatch(message: HubMessage): boolean;
  pauseReading(): void;
  resumeReading(): void;
  /** `maximumParallelInvocationsPerClient`, read from the owner: one field fewer on every queue. */
  readonly maxParallelInvocations: number;
}

export class InboundQueue implements InboundFlowControl {
  readonly #owner: InboundQueueOwner;
  /** Messages waiting; while set, one pause is held. */
  #backlog: HubMessage[] | undefined;
  #head = 0;
  #draining = false;
  #pauses = 0;
  #running = 0;

  constructor(owner: InboundQueueOwner) {
    this.#owner = owner;
  }

  /** Reading is paused (waiting invocations or full uploads): the client is not to blame for silence. */
  get paused(): boolean {
    return this.#pauses > 0;
  }

  /** Nothing waits, no slot is taken, reading is not paused: the owner may let the queue go. */
  get idle(): boolean {
    return this.#backlog === undefined && this.#pauses === 0 && this.#running === 0 && !this.#draining;
  }

  /** Keeps every message until {@link release} (used while onConnected runs). */
  hold(): void {
    if (this.#backlog !== undefined) return;
    this.#backlog = [];
    this.pauseInbound();
  }

  /** Dispatches what was held and goes on reading. */
  release(): void {
    this.drain();
  }

  /** Messages just parsed, in order. The array is kept as the backlog if they cannot all run now. */
  receive(messages: HubMessage[]): void {
    const backlog = this.#backlog;
    if (backlog !== undefined) {
      for (const message of messages) backlog.push(message);
      return;
    }
    for (let i = 0; i < messages.length; i++) {
      if (!this.#owner.dispatching) return;
      if (!this.#owner.dispatch(messages[i]!)) {
        this.#backlog = messages;
        this.#head = i;
        this.pauseInbound();
        return;
      }
    }
  }

  /** Takes a parallel-invocation slot; false when all are busy (the message must wait). */
  tryAcquireSlot(): boolean {
    if (this.#running >= this.#owner.maxParallelInvocations) return false;
    this.#running++;
    return true;
  }

  releaseSlot(): void {
    this.#running--;
    this.drain();
  }

  pauseInbound(): void {
    if (this.#pauses++ === 0) this.#owner.pauseReading();
  }

  resumeInbound(): void {
    if (--this.#pauses > 0) return;
    this.#pauses = 0;
    this.#owner.resumeReading();
  }

  /** The connection closed: nothing waiting will run. */
  clear(): void {
    this.#backlog = undefined;
    this.#head = 0;
  }

  /** Dispatches the backlog until it is empty (then reads again) or an invocation has to wait again. */
  // TypeScript `private`, not `#`: a class with `#` methods costs each instance a brand field (8 B).
  private drain(): void {
    const backlog = this.#backlog;
    if (backlog === undefined || this.#draining || !this.#owner.dispatching) return;
    this.#draining = true;
    try {
      while (this.#head < backlog.length) {
        if (!this.#owner.dispatching) return;
        if (!this.#owner.dispatch(backlog[this.#head]!)) return;
        // Let dispatched messages be collected while the rest still waits.
        backlog[this.#head++] = undefined as unknown as HubMessage;
      }
      this.#backlog = undefined;
      this.#head = 0;
      this.resumeInbound();
    } finally {
      this.#draining = false;
    }
  }
}
