import { Hub } from '@switchyard/server';
import { FormatException, InvalidOperationException } from './exceptions.js';
import { cookieValue, headerValue } from './request-values.js';

/**
 * The payload of `EchoComplexObject` / `SendComplexObject`. Property names stay PascalCase on the
 * wire because the reference server turns JSON naming policies off. Over JSON, `ByteArray` travels
 * as base64 and `DateTime` as an ISO string; over MessagePack as `bin` and a timestamp extension.
 */
export interface ComplexObject {
  ByteArray: Uint8Array | string;
  DateTime: Date | string;
  Guid: string;
  IntArray: number[];
  String: string;
}

/**
 * Mirrors `FunctionalTests.TestHub`, the hub the official client suite calls at `/testhub` and
 * `/testhub-nowebsockets`. Method lookup is case-insensitive, so `echo` answers `Echo`.
 */
export class TestHub extends Hub {
  echo(message: string): string {
    return message;
  }

  getCallerConnectionId(): string {
    return this.context.connectionId;
  }

  /** The `numRedirects` query parameter of the request that opened the transport. */
  getNumRedirects(): number {
    const raw = this.context.request.url.searchParams.get('numRedirects');
    const value = raw === null ? Number.NaN : Number(raw);
    if (!Number.isInteger(value)) {
      throw new FormatException(`The input string '${raw ?? ''}' was not in a correct format.`);
    }
    return value;
  }

  throwException(message: string): never {
    throw new InvalidOperationException(message);
  }

  async invokeWithString(message: string): Promise<void> {
    await this.clients.client(this.context.connectionId).send('Message', message);
  }

  async sendCustomObject(customObject: unknown): Promise<void> {
    await this.clients.client(this.context.connectionId).send('CustomObject', customObject);
  }

  // Streaming hub methods are async generators even when, like these, they have nothing to await.
  // eslint-disable-next-line @typescript-eslint/require-await
  async *stream(): AsyncGenerator<string> {
    yield 'a';
    yield 'b';
    yield 'c';
  }

  /**
   * Streams nothing until the client cancels, then tells the caller `StreamCanceled` (out of band,
   * not as a stream item), like the reference hub's cancellation callback.
   */
  async *infiniteStream(): AsyncGenerator<string> {
    const caller = this.clients.caller;
    await aborted(this.signal);
    // The connection may be gone (disconnect also aborts): then there is nobody left to tell.
    await caller.send('StreamCanceled').catch(() => undefined);
    yield* noItems<string>();
  }

  async streamingConcat(stream: AsyncIterable<string>): Promise<string> {
    let text = '';
    for await (const item of stream) text += item;
    return text;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *emptyStream(): AsyncGenerator<number> {
    yield* noItems<number>();
  }

  // The reference method throws before producing a stream: no item, nothing awaited.
  // eslint-disable-next-line require-yield, @typescript-eslint/require-await
  async *streamThrowException(message: string): AsyncGenerator<string> {
    throw new InvalidOperationException(message);
  }

  getActiveTransportName(): string {
    return this.context.transport;
  }

  echoComplexObject(complexObject: ComplexObject): ComplexObject {
    return complexObject;
  }

  sendComplexObject(): ComplexObject {
    return {
      ByteArray: Uint8Array.of(1, 2, 3),
      DateTime: new Date(Date.UTC(2000, 0, 1)),
      Guid: '00010203-0405-0607-0706-050403020100',
      IntArray: [1, 2, 3],
      String: 'hello world',
    };
  }

  getContentTypeHeader(): string | null {
    return headerValue(this.context.request.headers, 'content-type');
  }

  getHeader(headerName: string): string | null {
    return headerValue(this.context.request.headers, headerName);
  }

  getCookie(cookieName: string): string | null {
    return cookieValue(this.context.request.headers, cookieName);
  }
}

/** Resolves once `signal` is aborted (at once if it already is). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** An empty stream, for generators that end without items. */
function noItems<T>(): T[] {
  return [];
}
