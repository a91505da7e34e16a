/**
 * The long-polling transport (server → client; the client sends with POST). Poll outcomes, as the
 * .NET server answers them:
 *
 * | situation                         | answer                                              |
 * |-----------------------------------|-----------------------------------------------------|
 * | first poll                        | 200 application/octet-stream, empty, app starts     |
 * | data queued / arriving            | 200 application/octet-stream, every buffered byte   |
 * | `longPollTimeoutMs` without data  | 200 text/plain, empty (the client polls again)      |
 * | a newer poll arrived              | 204 to the older one                                |
 * | connection ended (close, DELETE)  | 204 (the client stops polling)                      |
 * | connection failed                 | 500 (the client closes with an error)               |
 *
 * Between polls the connection is inactive; the heartbeat disposes it after `disconnectTimeoutMs`.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ConnectionsError } from '../errors.js';
import { ACTIVE, type HttpConnection } from '../http-connection.js';
import type { TransportSink } from './transport-sink.js';

// Per-poll listeners are module-level functions that find their sink through this back-pointer.
const kSink = Symbol('switchyard.longPollingSink');
interface PollResponse extends ServerResponse {
  [kSink]?: LongPollingSink;
}

/** Headers on every long-polling GET (the .NET server sets them before even looking the connection up). */
export function setNoCacheHeaders(res: ServerResponse): void {
  res.setHeader('Cache-Control', 'no-cache, no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Expires', 'Thu, 01 Jan 1970 00:00:00 GMT');
}

export class LongPollingSink implements TransportSink {
  readonly #connection: HttpConnection;
  readonly #pollTimeoutMs: number;
  readonly #onWritten = (): void => this.#written();
  #poll: PollResponse | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = 0;
  #stalledSince = -1;
  /** The application closed and everything was delivered: the next poll gets 204 and ends it. */
  #ending = false;

  constructor(connection: HttpConnection, pollTimeoutMs: number) {
    this.#connection = connection;
    this.#pollTimeoutMs = pollTimeoutMs;
  }

  get ready(): boolean {
    return this.#poll !== undefined;
  }

  get pendingBytes(): number {
    // Bytes wait in the connection's queue until a poll takes them; nothing is held here.
    return 0;
  }

  get stalledSinceMs(): number {
    return this.#stalledSince;
  }

  /** A poll after the first: supersedes a pending one, then answers at once or waits for data. */
  acceptPoll(res: ServerResponse): void {
    const previous = this.#takePoll();
    if (previous !== undefined) answer(previous, 204);
    if (this.#ending) {
      answer(res, 204);
      this.#connection.transportEnded();
      return;
    }
    const poll = res as PollResponse;
    poll[kSink] = this;
    poll.once('close', onPollClosed);
    this.#poll = poll;
    this.#connection.inactiveSinceMs = ACTIVE;
    this.#timer = setTimeout(onPollTimeout, this.#pollTimeoutMs, this);
    // Queued data (or a pending close) is answered right away.
    this.#connection.flush();
  }

  write(batch: Uint8Array): void {
    const res = this.#takePoll()!;
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', batch.byteLength);
    if (this.#inFlight++ === 0) this.#stalledSince = performance.now();
    res.end(batch, this.#onWritten);
  }

  end(): void {
    const poll = this.#takePoll();
    if (poll === undefined) {
      this.#ending = true;
      return;
    }
    answer(poll, 204);
    this.#connection.transportEnded();
  }

  abort(error: ConnectionsError | undefined): void {
    const poll = this.#takePoll();
    if (poll !== undefined) answer(poll, error === undefined ? 204 : 500);
    this.#connection.transportEnded(error);
  }

  discard(): void {
    // Never resumed (stateful reconnect is WebSockets only); a pending poll just ends.
    const poll = this.#takePoll();
    if (poll !== undefined) answer(poll, 204);
  }

  pauseInbound(): void {
    // Inbound data arrives by POST; the connection holds those instead.
  }

  resumeInbound(): void {}

  /** @internal The poll timed out without data. */
  timedOut(): void {
    this.#timer = undefined;
    const poll = this.#takePoll();
    if (poll === undefined) return;
    poll.statusCode = 200;
    poll.setHeader('Content-Type', 'text/plain');
    poll.setHeader('Content-Length', 0);
    poll.end();
  }

  /** @internal The client dropped `poll` before it was answered. */
  pollClosed(poll: PollResponse): void {
    if (this.#poll === poll) this.#takePoll();
  }

  /** Detaches the pending poll (if any) and marks the connection inactive from now. */
  #takePoll(): PollResponse | undefined {
    const poll = this.#poll;
    if (poll === undefined) return undefined;
    this.#poll = undefined;
    poll[kSink] = undefined;
    poll.off('close', onPollClosed);
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (!this.#connection.isEnded) this.#connection.inactiveSinceMs = performance.now();
    return poll;
  }

  #written(): void {
    this.#inFlight--;
    this.#stalledSince = this.#inFlight > 0 ? performance.now() : -1;
  }
}

/**
 * Answers the first poll: 200, empty, at once. The endpoint has just started the application on a
 * {@link LongPollingSink}; the application's first bytes go out with the second poll.
 */
export function answerFirstPoll(connection: HttpConnection, res: ServerResponse): void {
  if (connection.isEnded) {
    // The handler failed: a non-200 first poll makes the client's start() fail.
    answer(res, 500);
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', 0);
  res.end();
  connection.inactiveSinceMs = performance.now();
}

function answer(res: ServerResponse, status: number): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain');
  if (status !== 204) res.setHeader('Content-Length', 0);
  res.end();
}

function onPollTimeout(sink: LongPollingSink): void {
  sink.timedOut();
}

function onPollClosed(this: PollResponse): void {
  this[kSink]?.pollClosed(this);
}
