/**
 * Streams in both directions.
 *
 * Server to client: {@link HubStream} is an async iterable. The StreamInvocation goes out when
 * iteration begins, so no item can arrive before someone listens; items queue while the loop body
 * runs (the protocol has no flow control from client to server). Leaving the loop (`break`, `return`,
 * a throw) or aborting the signal sends CancelInvocation.
 *
 * Client to server: arguments that are async iterables become upload streams: replaced by stream ids,
 * then pumped item by item (each send awaited, so the transport and the stateful-reconnect buffer
 * pace the producer), ended by a Completion, or by a Completion with the iterable's error message.
 */
import { MessageType, type CompletionMessage, type HubMessage } from '@switchyard/protocol';
import { ClientError, ClientErrorCode, toError } from './errors.js';
import type { PendingInvocation } from './invocation-table.js';

/** Starts the stream invocation, routing its messages to `sink`; returns how to cancel it. */
export type StreamOpener = (sink: PendingInvocation) => () => void;

/**
 * Items of a server-to-client stream, in order. Iterate it once:
 *
 * @example
 * const controller = new AbortController();
 * for await (const price of connection.stream('ticker', 'MSFT').withSignal(controller.signal)) {
 *   console.log(price);
 * }
 */
export class HubStream<T> implements AsyncIterable<T> {
  readonly #open: StreamOpener;
  #signal: AbortSignal | undefined;
  #iterated = false;
  #items: T[] = [];
  #head = 0;
  #finished = false;
  #error: Error | undefined;
  #waiter: { resolve(result: IteratorResult<T>): void; reject(error: Error): void } | undefined;
  #cancel: (() => void) | undefined;
  readonly #onAbort = (): void => this.#stop(toError(this.#signal?.reason));

  /** @internal */
  constructor(open: StreamOpener) {
    this.#open = open;
  }

  /**
   * Cancels the stream when `signal` aborts: the server gets a CancelInvocation and the loop throws
   * the signal's reason. Call before iterating.
   */
  withSignal(signal: AbortSignal): this {
    if (this.#iterated) throw new ClientError(ClientErrorCode.InvalidState, 'withSignal() must be called before iterating the stream.');
    this.#signal = signal;
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#iterated) throw new ClientError(ClientErrorCode.InvalidState, 'A hub stream can be iterated only once.');
    this.#iterated = true;
    const signal = this.#signal;
    if (signal?.aborted === true) {
      this.#finish(toError(signal.reason));
    } else {
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      this.#cancel = this.#open({
        onItem: (item) => this.#push(item as T),
        onCompletion: (message) => this.#finish(completionError(message)),
        onError: (error) => this.#finish(error),
      });
    }
    return {
      next: () => this.#next(),
      return: () => {
        this.#stop(undefined);
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  #next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as T;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#finished) {
      return this.#error === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(this.#error);
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #push(item: T): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: item });
    } else {
      this.#items.push(item);
    }
  }

  /** The stream ended: by Completion (error or not) or because the connection closed. */
  #finish(error: Error | undefined): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter === undefined) return;
    if (error === undefined) waiter.resolve({ done: true, value: undefined });
    else waiter.reject(error);
  }

  /** The consumer is done (left the loop, or aborted): cancel on the server, drop queued items. */
  #stop(reason: Error | undefined): void {
    if (!this.#finished) this.#cancel?.();
    this.#items = [];
    this.#head = 0;
    this.#finish(reason);
  }
}

function completionError(message: CompletionMessage): ClientError | undefined {
  return message.error === undefined ? undefined : new ClientError(ClientErrorCode.HubError, message.error);
}

/** One upload stream: its id on the wire and where its items come from. */
export interface UploadStream {
  readonly streamId: string;
  readonly source: AsyncIterable<unknown>;
}

/** True for async iterables (async generators, ReadableStreams in Node), the values that become uploads. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Takes the async iterables out of `args` (they travel as streams, announced by `streamIds`), in
 * argument order. Returns `args` itself when there are none, the common case.
 */
export function extractUploads(
  args: readonly unknown[],
  nextId: () => string,
): { readonly args: readonly unknown[]; readonly uploads: readonly UploadStream[] } {
  if (!args.some(isAsyncIterable)) return { args, uploads: [] };
  const plain: unknown[] = [];
  const uploads: UploadStream[] = [];
  for (const arg of args) {
    if (isAsyncIterable(arg)) uploads.push({ streamId: nextId(), source: arg });
    else plain.push(arg);
  }
  return { args: plain, uploads };
}

/**
 * Sends every item of `upload`, then its Completion. Waits for `invocationSent` first, so the server
 * knows the stream id before items arrive. A failing iterable ends the stream with its message; a
 * failing send (the connection is gone) stops the pump and releases the iterable.
 */
export async function pumpUpload(
  upload: UploadStream,
  invocationSent: Promise<unknown>,
  send: (message: HubMessage) => Promise<void>,
): Promise<void> {
  try {
    await invocationSent;
  } catch {
    return;
  }
  const invocationId = upload.streamId;
  let sendFailed = false;
  const sendOrMark = async (message: HubMessage): Promise<void> => {
    try {
      await send(message);
    } catch (error) {
      sendFailed = true;
      throw error;
    }
  };
  try {
    for await (const item of upload.source) await sendOrMark({ type: MessageType.StreamItem, invocationId, item });
    await sendOrMark({ type: MessageType.Completion, invocationId });
  } catch (error) {
    if (sendFailed) return;
    await send({ type: MessageType.Completion, invocationId, error: toError(error).message || 'Unknown error' }).catch(() => undefined);
  }
}
