/**
 * The Server-Sent Events transport (server → client only; the client sends with POST). Text only.
 * Each flush becomes one event: the batch is split on `\n` (a line's trailing `\r` dropped), every line
 * written as `data: <line>\r\n`, then `\r\n`; EventSource joins the lines back with `\n`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Principal } from '../connection.js';
import { ConnectionsError, ConnectionsErrorCode } from '../errors.js';
import type { HttpConnection } from '../http-connection.js';
import type { TransportSink } from './transport-sink.js';

const LF = 0x0a;
const CR = 0x0d;
const dataPrefix = Buffer.from('data: ');

/** Frames `payload` as one SSE event (see the module comment). */
export function formatServerSentEvent(payload: Uint8Array): Buffer {
  const length = payload.length;
  // First pass: the output size (6 bytes of prefix and 2 of CRLF per line, 2 for the final CRLF).
  let lines = 1;
  let crs = 0;
  for (let i = 0; i < length; i++) {
    if (payload[i] === LF) {
      lines++;
      if (i > 0 && payload[i - 1] === CR) crs++;
    }
  }
  const out = Buffer.allocUnsafe(length - (lines - 1) - crs + lines * 8 + 2);
  let o = 0;
  let lineStart = 0;
  for (let i = 0; i <= length; i++) {
    if (i < length && payload[i] !== LF) continue;
    let lineEnd = i;
    if (i < length && lineEnd > lineStart && payload[lineEnd - 1] === CR) lineEnd--;
    o += dataPrefix.copy(out, o);
    out.set(payload.subarray(lineStart, lineEnd), o);
    o += lineEnd - lineStart;
    out[o++] = CR;
    out[o++] = LF;
    lineStart = i + 1;
  }
  out[o++] = CR;
  out[o++] = LF;
  return o === out.length ? out : out.subarray(0, o);
}

export class ServerSentEventsSink implements TransportSink {
  readonly #res: ServerResponse;
  readonly #connection: HttpConnection;
  readonly #onWritten = (error?: Error | null): void => this.#written(error);
  #inFlight = 0;
  #stalledSince = -1;
  #ended = false;
  #error: ConnectionsError | undefined;

  constructor(res: ServerResponse, connection: HttpConnection) {
    this.#res = res;
    this.#connection = connection;
    // 'close' fires both after a normal end and when the client drops the stream (its way to stop).
    res.once('close', () => this.#connection.transportEnded(this.#error, this));
  }

  get ready(): boolean {
    return !this.#ended;
  }

  get pendingBytes(): number {
    return this.#res.writableLength;
  }

  get stalledSinceMs(): number {
    return this.#stalledSince;
  }

  write(batch: Uint8Array): void {
    if (this.#inFlight++ === 0) this.#stalledSince = performance.now();
    this.#res.write(formatServerSentEvent(batch), this.#onWritten);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#res.end();
  }

  abort(error: ConnectionsError | undefined): void {
    this.#error ??= error;
    this.#ended = true;
    if (error === undefined && !this.#res.destroyed && this.#res.writableLength === 0) this.#res.end();
    else this.#res.destroy();
  }

  discard(): void {
    // Never resumed (stateful reconnect is WebSockets only); dropping the stream is still well defined.
    this.#ended = true;
    this.#res.destroy();
  }

  pauseInbound(): void {
    // Inbound data arrives by POST; the connection holds those instead.
  }

  resumeInbound(): void {}

  #written(error: Error | null | undefined): void {
    this.#inFlight--;
    this.#stalledSince = this.#inFlight > 0 ? performance.now() : -1;
    this.#connection.written();
    if (error != null && !this.#ended) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.TransportFailed, 'Writing the event stream failed.', { cause: error }));
    }
  }
}

/** Opens the event stream (headers and the initial comment, as the .NET server) and starts the application. */
export function startServerSentEvents(connection: HttpConnection, req: IncomingMessage, res: ServerResponse, user: Principal | undefined): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-cache,no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Content-Encoding', 'identity');
  // Firefox fires EventSource `open` only after the first bytes; this comment line is ignored by parsers.
  res.write(':\r\n');
  connection.start(new ServerSentEventsSink(res, connection), req, user);
}
