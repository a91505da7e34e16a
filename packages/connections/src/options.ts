/**
 * Options of one {@link ConnectionEndpoint}, with the defaults of ASP.NET Core's
 * `HttpConnectionDispatcherOptions` where one exists. The defaults live in one object,
 * {@link connectionEndpointDefaults}; docs/options.md ("ConnectionEndpoint options") describes the same table.
 */
import type { IncomingMessage } from 'node:http';
import type { Principal, TransportKind } from './connection.js';
import { CorsPolicy, type CorsOptions } from './cors.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { completeInstrumentation, noConnectionsInstrumentation, type ConnectionsInstrumentation } from './instrumentation.js';

/** Every transport, in the order negotiate advertises them (the client tries them in this order). */
export const allTransports: readonly TransportKind[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];

/**
 * Decides who sends a request. Runs on EVERY HTTP request of the endpoint (negotiate, the WebSocket
 * upgrade, the SSE stream, each poll, each POST, DELETE), so keep it cheap (cache verified tokens).
 * Return the principal, `undefined` for an anonymous request, or throw {@link AccessDeniedError} to
 * answer 401/403. Any other thrown error answers 500.
 */
export type AuthenticateHook = (request: IncomingMessage) => Promise<Principal | undefined>;

export interface ConnectionEndpointOptions {
  /**
   * Transports this endpoint accepts and advertises. Order does not matter: negotiate always lists
   * WebSockets, ServerSentEvents, LongPolling in that order.
   * @default ['WebSockets', 'ServerSentEvents', 'LongPolling']
   */
  transports?: readonly TransportKind[];
  /** Establishes the principal of a request; see {@link AuthenticateHook}. @default undefined (everyone anonymous) */
  authenticate?: AuthenticateHook;
  /**
   * Answer 401 (empty body) to negotiate and to every transport request that has no principal.
   * Requires `authenticate`.
   * @default false
   */
  requireAuthentication?: boolean;
  /** How long a long-polling GET waits for data before answering 200 with an empty body. @default 90_000 */
  longPollTimeoutMs?: number;
  /**
   * A connection without an active transport request for this long is disposed: negotiated but never
   * used, a long-polling client that stopped polling, or (stateful reconnect) a dropped WebSocket whose
   * client did not reconnect. Checked by the endpoint's heartbeat (every
   * second, or a quarter of the shortest of this and `transportSendTimeoutMs` when that is less).
   * @default 15_000
   */
  disconnectTimeoutMs?: number;
  /** A single write to the transport (WebSocket send, SSE write, poll response) stuck longer than this closes the connection. @default 10_000 */
  transportSendTimeoutMs?: number;
  /** After the server sends a WebSocket close frame, how long to wait for the client's before dropping the socket. @default 5_000 */
  webSocketCloseTimeoutMs?: number;
  /** Lowest negotiate version accepted (0 or 1); older clients get `{"error":…}`. @default 0 */
  minimumNegotiateVersion?: number;
  /**
   * Answer `"useStatefulReconnect":true` to clients that ask for it. A connection its application made
   * `resumable` then survives a dropped WebSocket for up to `disconnectTimeoutMs`, and a new WebSocket
   * with the same token resumes it (instead of 409). WebSockets only.
   * @default false
   */
  allowStatefulReconnect?: boolean;
  /**
   * Outbound bytes one connection may hold (queued + not yet written by the socket, or waiting for the
   * next poll). A `send` that would exceed it returns false, drops the payload and closes the connection
   * with `ERR_CONNECTION_BUFFER_FULL`: a client that cannot keep up is disconnected, never silently
   * skipped. Must exceed the largest single payload.
   * @default 1_048_576 (1 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * Largest inbound POST body (long polling / SSE sends) and largest inbound WebSocket message, in bytes.
   * A larger POST is answered 413, a larger WebSocket message closes the socket with 1009; both close the
   * connection with `ERR_CONNECTION_MESSAGE_TOO_LARGE`.
   * @default 1_048_576 (1 MiB)
   */
  maxRequestBodyBytes?: number;
  /**
   * Coalesce outbound payloads: everything a connection is sent during one turn of the event loop goes
   * out in one write (one WebSocket frame, one SSE event, one poll response) at the end of the turn.
   * `false` writes each payload at once when the transport can take it (a WebSocket frame per message);
   * payloads still queue while it cannot. For measuring what coalescing saves, mostly.
   * @default true
   */
  coalesceOutbound?: boolean;
  /**
   * Live connections this endpoint accepts from one remote address (`req.socket.remoteAddress`); the
   * next negotiate or WebSocket upgrade is answered 429. Counted from negotiate until the connection
   * ends. Off by default: behind a reverse proxy every client has the proxy's address.
   * @default null (no limit)
   */
  maxConnectionsPerAddress?: number | null;
  /**
   * Live connections this endpoint accepts for one user (`Principal.userId` from `authenticate`); the
   * next negotiate or WebSocket upgrade is answered 429. Anonymous connections are not counted.
   * @default 100
   */
  maxConnectionsPerUser?: number | null;
  /** CORS for this endpoint; overrides the router's `cors`. @default undefined (the router's) */
  cors?: CorsOptions;
  /**
   * Receives connection and byte counts (for example `@switchyard/metrics`); missing methods are no-ops.
   * @default undefined (the router's, else nothing is recorded)
   */
  instrumentation?: Partial<ConnectionsInstrumentation>;
}

/** Options after defaults are applied. */
export interface ResolvedConnectionEndpointOptions {
  readonly transports: readonly TransportKind[];
  readonly authenticate: AuthenticateHook | undefined;
  readonly requireAuthentication: boolean;
  readonly longPollTimeoutMs: number;
  readonly disconnectTimeoutMs: number;
  readonly transportSendTimeoutMs: number;
  readonly webSocketCloseTimeoutMs: number;
  readonly minimumNegotiateVersion: number;
  readonly allowStatefulReconnect: boolean;
  readonly maxBufferedBytes: number;
  readonly maxRequestBodyBytes: number;
  readonly coalesceOutbound: boolean;
  readonly maxConnectionsPerAddress: number | null;
  readonly maxConnectionsPerUser: number | null;
  /** The endpoint's own CORS policy, validated; undefined = the router's. */
  readonly cors: CorsPolicy | undefined;
  /** Complete (no-ops filled in). */
  readonly instrumentation: ConnectionsInstrumentation;
}

/** The defaults, in one place. */
export const connectionEndpointDefaults = {
  transports: allTransports,
  requireAuthentication: false,
  longPollTimeoutMs: 90_000,
  disconnectTimeoutMs: 15_000,
  transportSendTimeoutMs: 10_000,
  webSocketCloseTimeoutMs: 5_000,
  minimumNegotiateVersion: 0,
  allowStatefulReconnect: false,
  maxBufferedBytes: 1_048_576,
  maxRequestBodyBytes: 1_048_576,
  coalesceOutbound: true,
  maxConnectionsPerAddress: null,
  maxConnectionsPerUser: 100,
} as const;

/** Applies defaults and validates; throws `ERR_CONNECTION_INVALID_OPTION` on a bad value. */
export function resolveEndpointOptions(options: ConnectionEndpointOptions = {}): ResolvedConnectionEndpointOptions {
  const d = connectionEndpointDefaults;
  const resolved: ResolvedConnectionEndpointOptions = {
    transports: resolveTransports(options.transports ?? d.transports),
    authenticate: options.authenticate,
    requireAuthentication: options.requireAuthentication ?? d.requireAuthentication,
    longPollTimeoutMs: positive('longPollTimeoutMs', options.longPollTimeoutMs ?? d.longPollTimeoutMs),
    disconnectTimeoutMs: positive('disconnectTimeoutMs', options.disconnectTimeoutMs ?? d.disconnectTimeoutMs),
    transportSendTimeoutMs: positive('transportSendTimeoutMs', options.transportSendTimeoutMs ?? d.transportSendTimeoutMs),
    webSocketCloseTimeoutMs: positive('webSocketCloseTimeoutMs', options.webSocketCloseTimeoutMs ?? d.webSocketCloseTimeoutMs),
    minimumNegotiateVersion: options.minimumNegotiateVersion ?? d.minimumNegotiateVersion,
    allowStatefulReconnect: options.allowStatefulReconnect ?? d.allowStatefulReconnect,
    maxBufferedBytes: positive('maxBufferedBytes', options.maxBufferedBytes ?? d.maxBufferedBytes),
    maxRequestBodyBytes: positive('maxRequestBodyBytes', options.maxRequestBodyBytes ?? d.maxRequestBodyBytes),
    coalesceOutbound: options.coalesceOutbound ?? d.coalesceOutbound,
    maxConnectionsPerAddress: countOrNull('maxConnectionsPerAddress', options.maxConnectionsPerAddress, d.maxConnectionsPerAddress),
    maxConnectionsPerUser: countOrNull('maxConnectionsPerUser', options.maxConnectionsPerUser, d.maxConnectionsPerUser),
    cors: options.cors === undefined ? undefined : new CorsPolicy(options.cors),
    instrumentation: completeInstrumentation(noConnectionsInstrumentation, options.instrumentation),
  };
  if (resolved.minimumNegotiateVersion !== 0 && resolved.minimumNegotiateVersion !== 1) {
    throw invalid(`minimumNegotiateVersion must be 0 or 1, got ${String(resolved.minimumNegotiateVersion)}`);
  }
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw invalid('authenticate must be a function');
  }
  if (resolved.requireAuthentication && resolved.authenticate === undefined) {
    throw invalid('requireAuthentication needs an authenticate hook');
  }
  return resolved;
}

function resolveTransports(transports: readonly TransportKind[]): readonly TransportKind[] {
  const given: readonly unknown[] = transports;
  if (!Array.isArray(given) || given.length === 0) throw invalid('transports must name at least one transport');
  for (const t of given) {
    if (!allTransports.includes(t as TransportKind)) throw invalid(`unknown transport '${String(t)}'`);
  }
  // Negotiate lists transports in the canonical order, whatever order the options used.
  return allTransports.filter((t) => transports.includes(t));
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`${name} must be a positive finite number, got ${String(value)}`);
  }
  return value;
}

/** A positive integer, or null for "no limit"; undefined takes the default. */
function countOrNull(name: string, value: number | null | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (!Number.isInteger(value) || value <= 0) throw invalid(`${name} must be a positive integer or null, got ${String(value)}`);
  return value;
}

function invalid(message: string): ConnectionsError {
  return new ConnectionsError(ConnectionsErrorCode.InvalidOption, message);
}
