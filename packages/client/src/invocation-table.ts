/**
 * Invocations waiting for the server: invocation id → what to do with its StreamItems and Completion.
 * Ids are decimal strings from one counter starting at 0, shared with stream invocations and upload
 * stream ids, as the official client numbers them.
 */
import { MessageType, type CompletionMessage, type StreamItemMessage } from '@switchyard/protocol';

/** The receiving end of one invocation or stream. */
export interface PendingInvocation {
  onItem(item: unknown): void;
  onCompletion(message: CompletionMessage): void;
  /** The connection closed before the Completion arrived. */
  onError(error: Error): void;
}

export class InvocationTable {
  #nextId = 0;
  readonly #pending = new Map<string, PendingInvocation>();

  nextId(): string {
    return String(this.#nextId++);
  }

  add(invocationId: string, pending: PendingInvocation): void {
    this.#pending.set(invocationId, pending);
  }

  /** @returns whether the invocation was still pending. */
  remove(invocationId: string): boolean {
    return this.#pending.delete(invocationId);
  }

  /** Routes a StreamItem or Completion to its invocation; unknown ids (cancelled streams) are ignored. */
  dispatch(message: StreamItemMessage | CompletionMessage): void {
    const pending = this.#pending.get(message.invocationId);
    if (pending === undefined) return;
    if (message.type === MessageType.StreamItem) {
      pending.onItem(message.item);
      return;
    }
    this.#pending.delete(message.invocationId);
    pending.onCompletion(message);
  }

  /** Fails every pending invocation (the connection closed). */
  rejectAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) entry.onError(error);
  }
}
