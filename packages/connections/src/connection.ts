import type { IncomingHttpHeaders } from 'node:http';
import type { TransferFormat } from '@switchyard/protocol';

/** The three SignalR transports, with their wire names. */
export type TransportKind = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

/** Who is on the other end, as the endpoint's `authenticate` hook established it. */
export interface Principal {
  /** Stable user id (the hub layer's default user-id provider reads it). */
  readonly userId?: string;
  /** Token claims or any facts the hook wants to keep. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** When the credentials stop being valid, in ms since the epoch. */
  readonly expiresAt?: number;
}

/** A snapshot of the HTTP request that opened the transport (the upgrade, the SSE GET or the first poll). */
export interface ConnectionRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: URL;
  /** As received, except Sec-WebSocket-Key: the upgrade's one-time nonce is not kept. */
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
}

/**
 * One logical connection, as the application (the hub layer, or a raw handler) sees it.
 * Bytes only: the connection knows nothing of hubs or protocols.
 */
export interface Connection {
  /** Public id (safe to share; `Clients.Client(id)`); never the secret connection token. */
  readonly connectionId: string;
  readonly transport: TransportKind;
  /** False for Server-Sent Events, which carries text only. */
  readonly supportsBinary: boolean;
  readonly request: ConnectionRequest;
  /** The authenticated principal, when the endpoint has an `authenticate` hook and it succeeded. */
  readonly user: Principal | undefined;
  /** Aborted once the connection has ended, for any reason. */
  readonly signal: AbortSignal;
  /** Bytes queued plus bytes handed to the socket that it has not written yet. */
  readonly bufferedAmount: number;
  /**
   * Resolves once {@link bufferedAmount} is at most `thresholdBytes` (at once when it already is), or
   * when the connection ends. Never rejects. For producers that pace themselves to a slow client, such
   * as a server stream: send until `bufferedAmount` is high, then `await whenDrained(low)`.
   */
  whenDrained(thresholdBytes: number): Promise<void>;
  /**
   * True when negotiate agreed on stateful reconnect (the endpoint allows it and the client asked).
   * The application decides whether to use it: see {@link resumable}.
   */
  readonly statefulReconnect: boolean;
  /**
   * Stateful reconnect: while true, a WebSocket that drops without a close handshake does not end the
   * connection. It waits up to `disconnectTimeoutMs` for the client to open a new WebSocket with the same
   * token (no negotiate), and the listener hears {@link ConnectionListener.onTransportLost} and
   * {@link ConnectionListener.onTransportResumed}. False by default: only an application that can replay
   * what the client missed turns it on (the hub layer, after a version-2 handshake). Setting it to false
   * while the transport is lost ends the connection. Has no effect unless {@link statefulReconnect} is true,
   * the transport is WebSockets and the listener implements `onTransportLost`.
   */
  resumable: boolean;
  /**
   * The endpoint's `maxBufferedBytes`: the outbound bytes this connection may hold. An application that
   * keeps its own outbound backlog (a replay buffer) bounds it by the same figure.
   */
  readonly maxBufferedBytes: number;
  /**
   * How payloads are framed on WebSockets (text or binary frames). Set by the application after its own
   * negotiation (the hub handshake); `Text` until then.
   */
  transferFormat: TransferFormat;
  /**
   * Queues `payload`; payloads go out in order, possibly several in one frame or response.
   * Returns false when the connection has ended, is closing, or has lost its transport (stateful
   * reconnect); the payload is then dropped.
   * The connection keeps a reference to `payload` until it is written: do not modify it afterwards
   * (sharing one payload among many connections is fine and is how broadcasts avoid copies).
   */
  send(payload: Uint8Array): boolean;
  /** Ends the connection after flushing what is queued. Idempotent. */
  close(): void;
  /** Stops delivering inbound data until {@link resume} (inbound backpressure). */
  pause(): void;
  resume(): void;
}

/** What the application does with a connection's inbound side. */
export interface ConnectionListener {
  /** A chunk of inbound bytes; a chunk may hold several messages or part of one. */
  onData(payload: Uint8Array): void;
  /** The connection ended: `error` when the transport failed, undefined on a normal end. Called once. */
  onClose(error?: Error): void;
  /**
   * The client does not read fast enough: a `send` would have taken the connection past
   * `maxBufferedBytes`, so the connection is being closed with `error` (`ERR_CONNECTION_BUFFER_FULL`).
   * What was queued but not yet handed to the transport is dropped and `send` returns false from now
   * on. Return a last payload to deliver where the transport still can (a protocol's close message
   * with the reason: the hub layer sends Close with an error), or undefined. It goes out after the
   * bytes the transport already holds, which may exceed `maxBufferedBytes` by its own size; then the
   * transport ends (WebSocket close 1011, end of the event stream, the next poll), and a peer that
   * still reads nothing is dropped after `transportSendTimeoutMs` (or the WebSocket close timeout).
   * {@link onClose} follows with `error`. Optional: without it the transport is aborted at once.
   */
  onBufferFull?(error: Error): Uint8Array | undefined;
  /**
   * Stateful reconnect ({@link Connection.resumable}): the WebSocket dropped (`error` says how) and the
   * connection waits for the client to reconnect. Bytes queued but not written, and inbound bytes not yet
   * delivered, were discarded; `send` returns false until {@link onTransportResumed}. If the client does
   * not come back within `disconnectTimeoutMs`, {@link onClose} follows with `ERR_CONNECTION_DISCONNECT_TIMEOUT`.
   */
  onTransportLost?(error: Error): void;
  /**
   * A new WebSocket for the same token took over (it may also replace one the server had not yet seen
   * drop). The application now resends what the client has not acknowledged; inbound data is the new
   * socket's, from its first byte.
   */
  onTransportResumed?(): void;
}

/** Called once per connection when its transport starts; returns the listener for its inbound side. */
export type ConnectionHandler = (connection: Connection) => ConnectionListener;
