/**
 * The {@link Connection} implementation: one logical connection, whatever transport carries it.
 *
 * Lifecycle (`state`):
 *
 *   negotiated ──start()──▶ open ──close()──▶ closing ──transport ended──▶ ended
 *        │                    │                                            ▲
 *        └── reaped / shutdown└── abort(error) / transport dropped ─────────┘
 *
 * Stateful reconnect: an open, `resumable` WebSocket connection whose socket drops stays open without a
 * sink ("lost": nothing queued survives, `send` refuses) until `resumeTransport` attaches a new socket or
 * the reaper ends it after `disconnectTimeoutMs`.
 *
 * Outbound: `send` appends to one array per connection and schedules a flush (flush-scheduler.ts); the
 * flush concatenates what was queued in that turn and hands it to the transport sink in one write.
 * Inbound: transports call `receive`; while paused (or before the handler returned its listener)
 * payloads are held in order, and POSTs are answered only once their bytes were delivered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TransferFormat } from '@switchyard/protocol';
import type { Connection, ConnectionHandler, ConnectionListener, ConnectionRequest, Principal, TransportKind } from './connection.js';
import { DrainWaiters } from './drain-waiters.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { scheduleFlush, type Flushable } from './flush-scheduler.js';
import { HeldInbound } from './held-inbound.js';
import { closeReasonOf, type ConnectionsInstrumentation } from './instrumentation.js';
import { respondText } from './http-responses.js';
import type { ResolvedConnectionEndpointOptions } from './options.js';
import { RequestSnapshot } from './request-snapshot.js';
import type { TransportSink } from './transports/transport-sink.js';

/** What a connection needs from the endpoint that created it. */
export interface ConnectionOwner {
  readonly handler: ConnectionHandler;
  readonly options: ResolvedConnectionEndpointOptions;
  /** Forgets the connection (it ended). */
  remove(connection: HttpConnection): void;
}

const NEGOTIATED = 0;
const OPEN = 1;
const CLOSING = 2;
const ENDED = 3;
type State = typeof NEGOTIATED | typeof OPEN | typeof CLOSING | typeof ENDED;

/** Sentinel of {@link HttpConnection.inactiveSinceMs}: a transport request is active. */
export const ACTIVE = -1;

const drained = Promise.resolve();

export class HttpConnection implements Connection, Flushable {
  readonly connectionId: string;
  /** The secret token clients put in `?id=` (equal to the id for negotiate version 0). */
  readonly token: string;
  readonly statefulReconnect: boolean;
  transferFormat: TransferFormat = 'Text';
  user: Principal | undefined = undefined;
  /**
   * Monotonic ms since which no transport request has been active (negotiated and unused, or between
   * two polls); {@link ACTIVE} while one is. The reaper disposes connections inactive for too long.
   */
  inactiveSinceMs: number;

  readonly #owner: ConnectionOwner;
  /** The endpoint's instrumentation (a no-op by default), cached: `send` and `receive` call it. */
  readonly #meter: ConnectionsInstrumentation;
  #state: State = NEGOTIATED;
  #transport: TransportKind | undefined;
  #request: ConnectionRequest | undefined;
  #sink: TransportSink | undefined;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  #listener: ConnectionListener | undefined;
  #starting = false;
  #paused = false;
  #draining = false;
  /** Inbound data waiting for the application; undefined while nothing waits. */
  #held: HeldInbound | undefined;
  #abortController: AbortController | undefined;
  /** Pending `whenDrained` calls; undefined while none waits. */
  #drainWaiters: DrainWaiters | undefined;
  #endError: ConnectionsError | undefined;
  #resumable = false;
  /** Why the transport was lost, while the connection waits for a reconnect. */
  #lostError: ConnectionsError | undefined;

  constructor(owner: ConnectionOwner, ids: { connectionId: string; connectionToken: string }, statefulReconnect: boolean, nowMs: number) {
    this.#owner = owner;
    this.#meter = owner.options.instrumentation;
    this.connectionId = ids.connectionId;
    this.token = ids.connectionToken;
    this.statefulReconnect = statefulReconnect;
    this.inactiveSinceMs = nowMs;
  }

  // ---- Connection ----

  get transport(): TransportKind {
    // The application sees a connection only once its transport started, so this is always set.
    return this.#transport!;
  }

  get supportsBinary(): boolean {
    return this.#transport !== 'ServerSentEvents';
  }

  get request(): ConnectionRequest {
    return this.#request!;
  }

  get signal(): AbortSignal {
    // Created on first use: most connections never need one.
    if (this.#abortController === undefined) {
      this.#abortController = new AbortController();
      if (this.#state === ENDED) this.#abortController.abort(this.#endError);
    }
    return this.#abortController.signal;
  }

  get resumable(): boolean {
    return this.#resumable;
  }

  set resumable(on: boolean) {
    this.#resumable = on;
    // Nobody will resume a lost transport any more: the connection ends as the drop would have ended it.
    if (!on && this.transportLost) this.abort(this.#lostError);
  }

  get maxBufferedBytes(): number {
    return this.#owner.options.maxBufferedBytes;
  }

  get bufferedAmount(): number {
    return this.#queuedBytes + (this.#sink?.pendingBytes ?? 0);
  }

  whenDrained(thresholdBytes: number): Promise<void> {
    if (this.#state === ENDED || this.bufferedAmount <= thresholdBytes) return drained;
    return (this.#drainWaiters ??= new DrainWaiters()).wait(thresholdBytes);
  }

  send(payload: Uint8Array): boolean {
    if (this.#state !== OPEN || this.#sink === undefined) return false;
    const size = payload.byteLength;
    if (size === 0) return true;
    const limit = this.#owner.options.maxBufferedBytes;
    if (this.#queuedBytes + size + this.#sink.pendingBytes > limit) {
      this.#meter.outboundDropped(this.#transport!, 'buffer_full', size);
      this.#overflow(new ConnectionsError(ConnectionsErrorCode.BufferFull,
        `Outbound buffer limit of ${limit} bytes exceeded; the client is not reading fast enough.`));
      return false;
    }
    this.#meter.bytesSent(this.#transport!, size);
    if (this.#queuedBytes === 0 && !this.#owner.options.coalesceOutbound && this.#sink.ready) {
      // Coalescing off: straight to the transport while nothing waits ahead of it.
      this.#sink.write(payload);
      return true;
    }
    this.#queue.push(payload);
    this.#queuedBytes += size;
    this.#requestFlush();
    return true;
  }

  close(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    // A lost transport has nothing to flush to.
    if (this.#sink === undefined) this.#finish(undefined);
    else this.#requestFlush();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#sink?.pauseInbound();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#sink?.resumeInbound();
    if (this.#held !== undefined) this.#drainHeld();
  }

  // ---- used by the endpoint and the transports ----

  /** The transport claimed by the first transport request, or undefined while none has come. */
  get transportKind(): TransportKind | undefined {
    return this.#transport;
  }

  get sink(): TransportSink | undefined {
    return this.#sink;
  }

  /** True once `close()` was called or the connection is ending for another reason. */
  get isClosing(): boolean {
    return this.#state >= CLOSING;
  }

  get isEnded(): boolean {
    return this.#state === ENDED;
  }

  /** True once the application runs (the handler was called). */
  get isStarted(): boolean {
    return this.#state !== NEGOTIATED;
  }

  /** Stateful reconnect: the transport dropped and the connection waits for the client to come back. */
  get transportLost(): boolean {
    return this.#state === OPEN && this.#sink === undefined;
  }

  /**
   * True when a new WebSocket may take this connection over (stateful reconnect): it is open, on
   * WebSockets, negotiated with stateful reconnect, and its application made it resumable.
   */
  get canResume(): boolean {
    return this.#state === OPEN && this.#resumable && this.statefulReconnect && this.#transport === 'WebSockets' &&
      this.#listener?.onTransportLost !== undefined;
  }

  /** Since when the transport's oldest write waits (-1: none); read by the send-timeout check. */
  get stalledSinceMs(): number {
    return this.#sink?.stalledSinceMs ?? -1;
  }

  /** Binds the connection to `kind` (first transport request); it counts as active from now on. */
  claimTransport(kind: TransportKind): void {
    this.#transport = kind;
    this.inactiveSinceMs = ACTIVE;
  }

  /** Starts the application on an established transport: calls the handler, delivers held input. */
  start(sink: TransportSink, request: IncomingMessage, user: Principal | undefined): void {
    if (this.#state !== NEGOTIATED) return;
    this.#sink = sink;
    this.#request = new RequestSnapshot(request);
    this.user = user;
    this.#state = OPEN;
    this.#meter.connectionOpened(this.#transport!);
    this.#starting = true;
    let listener: ConnectionListener | undefined;
    let failure: unknown;
    try {
      listener = this.#owner.handler(this);
    } catch (error) {
      failure = error;
    }
    this.#starting = false;
    this.#listener = listener;
    if (listener === undefined) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection handler threw.', { cause: failure }));
      return;
    }
    // The handler may have ended the connection synchronously (abort); onClose was deferred until now.
    if (this.isEnded) this.#notifyClosed();
    else if (this.#held !== undefined) this.#drainHeld();
  }

  /**
   * Stateful reconnect: `sink` (a new WebSocket) takes over. A socket still attached is dropped first, as
   * if it had failed: the client has given up on it. Only called when {@link canResume}.
   */
  resumeTransport(sink: TransportSink): void {
    const previous = this.#sink;
    if (previous !== undefined) {
      previous.discard();
      this.#loseTransport(new ConnectionsError(ConnectionsErrorCode.TransportFailed, 'The client replaced its WebSocket with a new one.'));
      // The listener may have ended the connection on hearing it.
      if (this.#state !== OPEN) {
        sink.abort(undefined);
        return;
      }
    }
    this.#sink = sink;
    this.#lostError = undefined;
    this.inactiveSinceMs = ACTIVE;
    if (this.#paused) sink.pauseInbound();
    try {
      this.#listener!.onTransportResumed?.();
    } catch (error) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection listener threw in onTransportResumed.', { cause: error }));
    }
  }

  /** Inbound bytes from the transport. */
  receive(payload: Uint8Array): void {
    if (this.#state === ENDED) return;
    this.#meter.bytesReceived(this.#transport!, payload.byteLength);
    if (this.#listener === undefined || this.#paused || this.#held !== undefined) {
      (this.#held ??= new HeldInbound()).hold(payload);
      if (this.#listener !== undefined && !this.#paused) this.#drainHeld();
      return;
    }
    this.#deliver(payload);
  }

  /**
   * Inbound bytes from a POST: delivered, then answered 200. While paused the answer waits until the
   * application resumed and took the bytes, so a client that sends faster than the server reads is slowed.
   */
  receivePost(payload: Uint8Array, res: ServerResponse): void {
    if (this.#paused) {
      this.#meter.bytesReceived(this.#transport!, payload.byteLength);
      (this.#held ??= new HeldInbound()).hold(payload, res);
      return;
    }
    this.receive(payload);
    respondText(res, 200);
  }

  /**
   * Hands what is queued to the sink if it can take it, and ends the sink once a closing connection has
   * nothing left. Long polling calls this when a poll arrives.
   */
  flush(): void {
    const sink = this.#sink;
    if (sink === undefined || this.#state === ENDED) return;
    if (this.#queuedBytes > 0) {
      if (!sink.ready) return;
      const queue = this.#queue;
      const batch = queue.length === 1 ? queue[0]! : Buffer.concat(queue, this.#queuedBytes);
      queue.length = 0;
      this.#queuedBytes = 0;
      sink.write(batch);
      // Long polling hands everything to the poll response at once: the buffer may have drained here.
      if (this.#drainWaiters !== undefined) this.#settleDrainWaiters();
    }
    // After an overflow the end is a failure (WebSocket close 1011), delivered after the last payload.
    if (this.#state === CLOSING) sink.end(this.#endError);
  }

  runScheduledFlush(): void {
    this.#flushScheduled = false;
    this.flush();
  }

  /** Ends the connection now: `error` for a failure, undefined for a server-side decision without fault. */
  abort(error: ConnectionsError | undefined): void {
    if (this.#state === ENDED) return;
    this.#endError ??= error;
    if (this.#state !== NEGOTIATED) this.#state = CLOSING;
    const sink = this.#sink;
    if (sink === undefined) this.#finish(this.#endError);
    else sink.abort(this.#endError);
  }

  /**
   * Server shutdown: writes what the transport can take now, ends it gracefully where that is possible
   * (WebSocket close handshake, end of the SSE stream) and at once for long polling, whose next poll
   * would never be answered.
   */
  shutdown(): void {
    if (this.#state === ENDED) return;
    const sink = this.#sink;
    if (sink === undefined) {
      this.#finish(undefined);
      return;
    }
    if (this.#state === OPEN) this.#state = CLOSING;
    this.flush();
    if (this.#transport === 'LongPolling') this.abort(undefined);
  }

  /** Called by the sink when a write completed: bytes left the buffer, so `whenDrained` may resolve. */
  written(): void {
    if (this.#drainWaiters !== undefined) this.#settleDrainWaiters();
  }

  /**
   * Called by the sink when the transport is done, with the reason when it failed. `dropped`: the socket
   * vanished without a close handshake, which a resumable connection survives. Reports from a sink that
   * a reconnect replaced are ignored.
   */
  transportEnded(error?: ConnectionsError, from?: TransportSink, dropped = false): void {
    if (from !== undefined && from !== this.#sink) return;
    if (dropped && error !== undefined && this.canResume) {
      this.#loseTransport(error);
      return;
    }
    this.#finish(this.#endError ?? error);
  }

  // ---- internals ----

  #requestFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    scheduleFlush(this);
  }

  /**
   * The slow-consumer policy (ConnectionListener.onBufferFull, docs/slow-consumers-and-shutdown.md):
   * drop what is queued, let the application add a last payload, then end the transport after it.
   */
  #overflow(error: ConnectionsError): void {
    this.#endError ??= error;
    this.#state = CLOSING;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    let last: Uint8Array | undefined;
    try {
      last = this.#listener?.onBufferFull?.(error);
    } catch {
      last = undefined;
    }
    if (last === undefined || last.byteLength === 0 || this.#sink === undefined || this.isEnded) {
      this.abort(error);
      return;
    }
    this.#queue.push(last);
    this.#queuedBytes = last.byteLength;
    this.#requestFlush();
  }

  #loseTransport(error: ConnectionsError): void {
    this.#sink = undefined;
    this.#lostError = error;
    // What was queued or received and not yet delivered belongs to the dead socket: the application
    // replays what the client did not acknowledge, and the client what the application did not.
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#held = undefined; // WebSocket data only: no POST waits for an answer
    this.inactiveSinceMs = performance.now();
    if (this.#drainWaiters !== undefined) this.#settleDrainWaiters();
    try {
      this.#listener!.onTransportLost!(error);
    } catch (listenerError) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection listener threw in onTransportLost.', { cause: listenerError }));
    }
  }

  #settleDrainWaiters(): void {
    if (this.#drainWaiters!.settle(this.#state === ENDED ? -1 : this.bufferedAmount)) this.#drainWaiters = undefined;
  }

  #deliver(payload: Uint8Array): void {
    try {
      this.#listener!.onData(payload);
    } catch (error) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection listener threw in onData.', { cause: error }));
    }
  }

  #drainHeld(): void {
    // Re-entrancy guard: onData may call resume()/pause(), which must not start a second loop.
    if (this.#draining) return;
    this.#draining = true;
    const held = this.#held!;
    let payload: Uint8Array | undefined;
    while (!this.#paused && this.#listener !== undefined && this.#state !== ENDED && (payload = held.next()) !== undefined) {
      this.#deliver(payload);
    }
    this.#draining = false;
    // Everything delivered and reading goes on: the POSTs that carried it are answered.
    if (held.isEmpty && !this.#paused && this.#held === held) {
      this.#held = undefined;
      held.answerPosts(200);
    }
  }

  #finish(error: ConnectionsError | undefined): void {
    if (this.#state === ENDED) return;
    const opened = this.#state !== NEGOTIATED;
    this.#state = ENDED;
    this.#endError = error;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    const held = this.#held;
    this.#held = undefined;
    held?.answerPosts(404);
    this.#owner.remove(this);
    if (opened) this.#meter.connectionClosed(this.#transport!, closeReasonOf(error));
    if (this.#drainWaiters !== undefined) this.#settleDrainWaiters();
    this.#abortController?.abort(error);
    if (!this.#starting) this.#notifyClosed();
  }

  #notifyClosed(): void {
    const listener = this.#listener;
    // Drop the references so a long-lived Connection object held by the application pins nothing.
    this.#listener = undefined;
    this.#sink = undefined;
    if (listener === undefined) return;
    try {
      listener.onClose(this.#endError);
    } catch {
      // An onClose that throws is the application's bug; it must not break the transport's cleanup.
    }
  }
}
