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
 * This file: the Connection the application sees, what the endpoint and transports ask of it, and the
 * transport's attach/detach (start, stateful reconnect's loss and resumption) and the end. The layers
 * below: outbound queue/flush/overflow (connection-outbound.ts), inbound hold/pause
 * (connection-inbound.ts), shared state (connection-state.ts).
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TransferFormat } from '@switchyard/protocol';
import type { Connection, ConnectionHandler, ConnectionListener, ConnectionRequest, Principal, TransportKind } from './connection.js';
import { BINARY, CLOSING, ENDED, NEGOTIATED, OPEN, PAUSED, RESUMABLE, STARTING, STATEFUL_RECONNECT } from './connection-state.js';
import { OutboundConnection } from './connection-outbound.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { closeReasonOf } from './instrumentation.js';
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

/**
 * The signal's reason when a connection ends without an error: the AbortError `abort()` would build,
 * built once (Node constructs a DOMException with its stack per `abort()` without a reason).
 */
const ENDED_WITHOUT_ERROR = new DOMException('This operation was aborted', 'AbortError');

/** Sentinel of {@link HttpConnection.inactiveSinceMs}: a transport request is active. */
export const ACTIVE = -1;

export class HttpConnection extends OutboundConnection implements Connection {
  readonly connectionId: string;
  /** The secret token clients put in `?id=` (equal to the id for negotiate version 0). */
  readonly token: string;
  user: Principal | undefined = undefined;
  /**
   * Monotonic ms since which no transport request has been active (negotiated and unused, or between
   * two polls); {@link ACTIVE} while one is. The reaper disposes connections inactive for too long.
   */
  inactiveSinceMs: number;

  #request: ConnectionRequest | undefined;

  constructor(owner: ConnectionOwner, ids: { connectionId: string; connectionToken: string }, statefulReconnect: boolean, nowMs: number) {
    super(owner);
    this.connectionId = ids.connectionId;
    this.token = ids.connectionToken;
    if (statefulReconnect) this.flags = STATEFUL_RECONNECT;
    this.inactiveSinceMs = nowMs;
  }

  // ---- Connection ----

  // Booleans in `flags`, not fields: 8 B per connection each.
  get statefulReconnect(): boolean {
    return this.hasFlag(STATEFUL_RECONNECT);
  }

  get transferFormat(): TransferFormat {
    return this.hasFlag(BINARY) ? 'Binary' : 'Text';
  }

  set transferFormat(format: TransferFormat) {
    this.setFlag(BINARY, format === 'Binary');
  }

  get transport(): TransportKind {
    // The application sees a connection only once its transport started, so this is always set.
    return this.kind!;
  }

  get supportsBinary(): boolean {
    return this.kind !== 'ServerSentEvents';
  }

  get request(): ConnectionRequest {
    return this.#request!;
  }

  get signal(): AbortSignal {
    // Created on first use: most connections never need one.
    const extras = this.extras;
    if (extras.abortController === undefined) {
      extras.abortController = new AbortController();
      if (this.state === ENDED) extras.abortController.abort(extras.endError ?? ENDED_WITHOUT_ERROR);
    }
    return extras.abortController.signal;
  }

  get resumable(): boolean {
    return this.hasFlag(RESUMABLE);
  }

  set resumable(on: boolean) {
    this.setFlag(RESUMABLE, on);
    // Nobody will resume a lost transport any more: the connection ends as the drop would have ended it.
    if (!on && this.transportLost) this.abort(this.existingExtras?.lostError);
  }

  get maxBufferedBytes(): number {
    return this.options.maxBufferedBytes;
  }

  // ---- used by the endpoint and the transports ----

  /** The transport claimed by the first transport request, or undefined while none has come. */
  get transportKind(): TransportKind | undefined {
    return this.kind;
  }

  get sink(): TransportSink | undefined {
    return this.attachedSink;
  }

  /** True once `close()` was called or the connection is ending for another reason. */
  get isClosing(): boolean {
    return this.state >= CLOSING;
  }

  /** True once the application runs (the handler was called). */
  get isStarted(): boolean {
    return this.state !== NEGOTIATED;
  }

  /** Stateful reconnect: the transport dropped and the connection waits for the client to come back. */
  get transportLost(): boolean {
    return this.state === OPEN && this.attachedSink === undefined;
  }

  /**
   * True when a new WebSocket may take this connection over (stateful reconnect): it is open, on
   * WebSockets, negotiated with stateful reconnect, and its application made it resumable.
   */
  get canResume(): boolean {
    return this.state === OPEN && this.hasFlag(RESUMABLE) && this.hasFlag(STATEFUL_RECONNECT) && this.kind === 'WebSockets' &&
      this.listener?.onTransportLost !== undefined;
  }

  /** Since when the transport's oldest write waits (-1: none); read by the send-timeout check. */
  get stalledSinceMs(): number {
    return this.attachedSink?.stalledSinceMs ?? -1;
  }

  /** Binds the connection to `kind` (first transport request); it counts as active from now on. */
  claimTransport(kind: TransportKind): void {
    this.kind = kind;
    this.inactiveSinceMs = ACTIVE;
  }

  /** Starts the application on an established transport: calls the handler, delivers held input. */
  start(sink: TransportSink, request: IncomingMessage, user: Principal | undefined): void {
    if (this.state !== NEGOTIATED) return;
    this.attachedSink = sink;
    this.#request = new RequestSnapshot(request);
    this.user = user;
    this.state = OPEN;
    this.meter.connectionOpened(this.kind!);
    this.setFlag(STARTING, true);
    let listener: ConnectionListener | undefined;
    let failure: unknown;
    try {
      listener = this.owner.handler(this);
    } catch (error) {
      failure = error;
    }
    this.setFlag(STARTING, false);
    this.listener = listener;
    if (listener === undefined) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection handler threw.', { cause: failure }));
      return;
    }
    // The handler may have ended the connection synchronously (abort); onClose was deferred until now.
    if (this.isEnded) this.notifyClosed();
    else if (this.held !== undefined) this.drainHeld();
  }

  /**
   * Stateful reconnect: `sink` (a new WebSocket) takes over. A socket still attached is dropped first, as
   * if it had failed: the client has given up on it. Only called when {@link canResume}.
   */
  resumeTransport(sink: TransportSink): void {
    const previous = this.attachedSink;
    if (previous !== undefined) {
      previous.discard();
      this.loseTransport(new ConnectionsError(ConnectionsErrorCode.TransportFailed, 'The client replaced its WebSocket with a new one.'));
      // The listener may have ended the connection on hearing it.
      if (this.state !== OPEN) {
        sink.abort(undefined);
        return;
      }
    }
    this.attachedSink = sink;
    const extras = this.existingExtras;
    if (extras !== undefined) extras.lostError = undefined;
    this.inactiveSinceMs = ACTIVE;
    if (this.hasFlag(PAUSED)) sink.pauseInbound();
    try {
      this.listener!.onTransportResumed?.();
    } catch (error) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection listener threw in onTransportResumed.', { cause: error }));
    }
  }

  /** Ends the connection now: `error` for a failure, undefined for a server-side decision without fault. */
  abort(error: ConnectionsError | undefined): void {
    if (this.state === ENDED) return;
    this.endError ??= error;
    if (this.state !== NEGOTIATED) this.state = CLOSING;
    const sink = this.attachedSink;
    if (sink === undefined) this.finish(this.endError);
    else sink.abort(this.endError);
  }

  /**
   * Server shutdown: writes what the transport can take now, ends it gracefully where that is possible
   * (WebSocket close handshake, end of the SSE stream) and at once for long polling, whose next poll
   * would never be answered.
   */
  shutdown(): void {
    if (this.state === ENDED) return;
    const sink = this.attachedSink;
    if (sink === undefined) {
      this.finish(undefined);
      return;
    }
    if (this.state === OPEN) this.state = CLOSING;
    this.flush();
    if (this.kind === 'LongPolling') this.abort(undefined);
  }

  /**
   * Called by the sink when the transport is done, with the reason when it failed. `dropped`: the socket
   * vanished without a close handshake, which a resumable connection survives. Reports from a sink that
   * a reconnect replaced are ignored.
   */
  transportEnded(error?: ConnectionsError, from?: TransportSink, dropped = false): void {
    if (from !== undefined && from !== this.attachedSink) return;
    if (dropped && error !== undefined && this.canResume) {
      this.loseTransport(error);
      return;
    }
    this.finish(this.endError ?? error);
  }

  // ---- internals ----

  private loseTransport(error: ConnectionsError): void {
    this.attachedSink = undefined;
    this.extras.lostError = error;
    // What was queued or received and not yet delivered belongs to the dead socket: the application
    // replays what the client did not acknowledge, and the client what the application did not.
    this.dropQueued();
    this.held = undefined; // WebSocket data only: no POST waits for an answer
    this.inactiveSinceMs = performance.now();
    this.settleDrainWaiters();
    try {
      this.listener!.onTransportLost!(error);
    } catch (listenerError) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection listener threw in onTransportLost.', { cause: listenerError }));
    }
  }

  protected finish(error: ConnectionsError | undefined): void {
    if (this.state === ENDED) return;
    const opened = this.state !== NEGOTIATED;
    this.state = ENDED;
    this.endError = error;
    this.dropQueued();
    const held = this.held;
    this.held = undefined;
    held?.answerPosts(404);
    this.owner.remove(this);
    if (opened) this.meter.connectionClosed(this.kind!, closeReasonOf(error));
    this.settleDrainWaiters();
    this.existingExtras?.abortController?.abort(error ?? ENDED_WITHOUT_ERROR);
    if (!this.hasFlag(STARTING)) this.notifyClosed();
  }

  private notifyClosed(): void {
    const listener = this.listener;
    // Drop the references so a long-lived Connection object held by the application pins nothing.
    this.listener = undefined;
    this.attachedSink = undefined;
    if (listener === undefined) return;
    try {
      listener.onClose(this.endError);
    } catch {
      // An onClose that throws is the application's bug; it must not break the transport's cleanup.
    }
  }
}
