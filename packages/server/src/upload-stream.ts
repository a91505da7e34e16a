/**
 * A client-to-server stream as the hub method sees it: an AsyncIterable fed by the client's StreamItem
 * messages and ended by its Completion. Items beyond `capacity` make the connection stop reading
 * (backpressure through the transport) until the method catches up.
 */

/** How the stream asks its connection to stop and restart reading. @internal */
export interface InboundFlowControl {
  pauseInbound(): void;
  resumeInbound(): void;
}

type Waiter = { resolve: (result: IteratorResult<unknown>) => void; reject: (error: Error) => void };

const DONE: IteratorResult<unknown> = Object.freeze({ done: true, value: undefined });

export class UploadStream implements AsyncIterableIterator<unknown> {
  readonly streamId: string;
  readonly #capacity: number;
  readonly #flow: InboundFlowControl;
  // A queue with a moving head: shift() would copy on every item.
  #items: unknown[] = [];
  #head = 0;
  #waiter: Waiter | undefined;
  #ended = false;
  #error: Error | undefined;
  /** The consumer left (return() / break): later items are dropped. */
  #detached = false;
  #pausing = false;

  constructor(streamId: string, capacity: number, flow: InboundFlowControl) {
    this.streamId = streamId;
    this.#capacity = capacity;
    this.#flow = flow;
  }

  /** A StreamItem arrived. */
  push(item: unknown): void {
    if (this.#ended || this.#detached) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: item });
      return;
    }
    this.#items.push(item);
    if (!this.#pausing && this.#items.length - this.#head >= this.#capacity) {
      this.#pausing = true;
      this.#flow.pauseInbound();
    }
  }

  /** The client's Completion (with `error`: it failed the stream), or the end of the connection or invocation. */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    if (error === undefined) waiter.resolve(DONE);
    else waiter.reject(error);
  }

  /** The stream is finished with: drops buffered items and lets the connection read again. */
  dispose(): void {
    this.#detached = true;
    this.#items = [];
    this.#head = 0;
    this.#unpause();
    this.end();
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (this.#head === this.#items.length) {
        this.#items.length = 0;
        this.#head = 0;
      }
      if (this.#pausing && this.#items.length - this.#head < this.#capacity) this.#unpause();
      return Promise.resolve({ done: false, value });
    }
    if (this.#ended || this.#detached) {
      if (this.#error !== undefined) {
        const error = this.#error;
        // Reported once; afterwards the stream is simply done.
        this.#error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve(DONE);
    }
    if (this.#waiter !== undefined) return Promise.reject(new Error('An upload stream can only be read by one consumer at a time.'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    this.dispose();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #unpause(): void {
    if (!this.#pausing) return;
    this.#pausing = false;
    this.#flow.resumeInbound();
  }
}
