/**
 * Batches sends: while one transport send is in flight, later payloads wait and then go out together
 * as ONE send (one POST, one WebSocket frame). Hub messages are self-delimiting, so the server splits
 * them again. This is what makes long polling and SSE usable under load (one POST per message would
 * serialise every message behind an HTTP round trip).
 */
import { ClientError, ClientErrorCode } from './errors.js';

/**
 * A batch stops growing here, so a burst of sends becomes several requests rather than one body the
 * server refuses as too large (Switchyard's default limit is 1 MiB). One payload alone may exceed it.
 */
const MAX_BATCH_BYTES = 256 * 1024;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export class SendQueue {
  readonly #send: (data: Uint8Array) => Promise<void>;
  #payloads: Uint8Array[] = [];
  #waiters: Waiter[] = [];
  #running = false;
  #stopped = false;

  constructor(send: (data: Uint8Array) => Promise<void>) {
    this.#send = send;
  }

  /** Queues `data`; settles when the batch holding it was sent (or failed). */
  send(data: Uint8Array): Promise<void> {
    if (this.#stopped) return Promise.reject(stoppedError());
    return new Promise<void>((resolve, reject) => {
      this.#payloads.push(data);
      this.#waiters.push({ resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Fails everything still queued; later sends reject. */
  stop(): void {
    this.#stopped = true;
    const waiters = this.#waiters;
    this.#payloads = [];
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(stoppedError());
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#payloads.length > 0) {
      const count = batchLength(this.#payloads);
      const payloads = this.#payloads.splice(0, count);
      const waiters = this.#waiters.splice(0, count);
      try {
        await this.#send(payloads.length === 1 ? payloads[0]! : concat(payloads));
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.#running = false;
  }
}

/** How many leading payloads go into the next batch: at least one, then up to MAX_BATCH_BYTES. */
function batchLength(payloads: readonly Uint8Array[]): number {
  let bytes = payloads[0]!.length;
  let count = 1;
  while (count < payloads.length && bytes + payloads[count]!.length <= MAX_BATCH_BYTES) bytes += payloads[count++]!.length;
  return count;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}

function stoppedError(): ClientError {
  return new ClientError(ClientErrorCode.NotConnected, 'Connection stopped.');
}
