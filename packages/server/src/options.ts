/**
 * Hub options, with the defaults of ASP.NET Core's `HubOptions`. The defaults live in one object,
 * {@link hubOptionDefaults}; docs/options.md ("Hub options") describes the same table.
 */
import type { Connection } from '@switchyard/connections';
import type { HubAuthorization } from './auth/authorization.js';
import { HubError, HubErrorCode } from './errors.js';

/** Per-hub options (the hub half of `mapHub`'s options; the rest go to the connections layer). */
export interface HubOptions {
  /**
   * Send a Ping after this long without sending anything (not on long polling, which needs none).
   * Clients should use a server timeout of about twice this.
   * @default 15_000
   */
  keepAliveIntervalMs?: number;
  /**
   * Close a connection that sent nothing for this long. Armed only after the client's first Ping, as in .NET
   * (clients on long polling never ping, so it never applies to them).
   * @default 30_000
   */
  clientTimeoutMs?: number;
  /**
   * Close a connection whose handshake has not arrived within this time ("Handshake was canceled.").
   * @default 15_000
   */
  handshakeTimeoutMs?: number;
  /**
   * Largest hub message accepted from a client, in bytes (also bounds the handshake), framing included
   * as in .NET: a JSON record with its 0x1E, a MessagePack body with its length prefix. A larger
   * message closes the connection with an error. `null` = unlimited.
   * @default 32_768
   */
  maximumReceiveMessageSize?: number | null;
  /**
   * Items buffered per client-to-server stream before the server stops reading the connection
   * until the hub method consumes some.
   * @default 10
   */
  streamBufferCapacity?: number;
  /**
   * How many non-streaming invocations of one client may run at once. Further ones wait in order and
   * the server stops reading the connection meanwhile. Streaming invocations and invocations with
   * upload streams do not count.
   * @default 1
   */
  maximumParallelInvocationsPerClient?: number;
  /**
   * Add the error type and message to the errors clients see (" InvalidOperationException: …").
   * Leave off in production: messages may reveal internals.
   * @default false
   */
  enableDetailedErrors?: boolean;
  /**
   * Fail a client result (`invoke`) the client has not answered within this time. `null` waits until the
   * client answers or disconnects, as .NET does.
   * @default null
   */
  clientResultTimeoutMs?: number | null;
  /**
   * Stateful reconnect (when the endpoint has `allowStatefulReconnect` and the client asks): bytes of
   * messages sent and not yet acknowledged by the client, kept for replay after a dropped WebSocket.
   * Once reached, further messages wait in order until acknowledgements arrive (the client acknowledges
   * about once a second, so this also bounds the throughput to roughly this many bytes per second), and
   * server streams pause. At most `maxBufferedBytes` may wait; beyond that the connection fails with
   * `ERR_CONNECTION_BUFFER_FULL`. As .NET's `StatefulReconnectBufferSize`.
   * @default 100_000
   */
  statefulReconnectBufferSize?: number;
  /** Hub and per-method authorization. @default {} (everyone may call everything) */
  authorization?: HubAuthorization;
  /**
   * Derives `context.userId`, the key of `clients.user(id)`.
   * @default connection => connection.user?.userId
   */
  userIdProvider?: (connection: Connection) => string | undefined;
  /**
   * Invocations (and stream invocations) one connection may start: a token bucket refilled at
   * `perSecond` holding up to `burst`. An invocation beyond it is answered with a Completion error
   * ("Failed to invoke '{method}' because the invocation rate limit was exceeded."), not run; after
   * `closeAfterRejections` refused in a row the connection is closed (`ERR_HUB_RATE_LIMITED`).
   * `null` = no limit, as .NET.
   * @default null
   */
  invocationRateLimit?: InvocationRateLimit | null;
  /**
   * Groups one connection may be in at once (on the server holding it); `groups.add` beyond it throws
   * a `HubLimitException` (`ERR_HUB_TOO_MANY_GROUPS`). `null` = no limit.
   * @default 100
   */
  maximumGroupsPerConnection?: number | null;
  /**
   * Close a connection once its credentials expire (`Principal.expiresAt`, the JWT `exp` with
   * `jwtAuthenticator`), as .NET's `CloseOnAuthenticationExpiration`: Close with
   * "Connection closed with an error. HubException: The authentication expired." and `allowReconnect`,
   * so a client reconnects with a fresh token. Long polling renews the expiry with every poll.
   * @default true
   */
  closeOnAuthenticationExpiration?: boolean;
}

/** See {@link HubOptions.invocationRateLimit}. */
export interface InvocationRateLimit {
  /** Tokens added per second (the sustained invocation rate). */
  readonly perSecond: number;
  /** Bucket size: invocations allowed at once after a quiet period (an integer). @default perSecond, rounded up */
  readonly burst?: number;
  /** Refused invocations in a row after which the connection is closed. @default 100 */
  readonly closeAfterRejections?: number;
}

/** The keys of {@link HubOptions}: `mapHub` passes every other key to the connections layer. */
const hubOptionKeys: ReadonlySet<string> = new Set<keyof HubOptions>([
  'keepAliveIntervalMs',
  'clientTimeoutMs',
  'handshakeTimeoutMs',
  'maximumReceiveMessageSize',
  'streamBufferCapacity',
  'maximumParallelInvocationsPerClient',
  'enableDetailedErrors',
  'clientResultTimeoutMs',
  'statefulReconnectBufferSize',
  'authorization',
  'userIdProvider',
  'invocationRateLimit',
  'maximumGroupsPerConnection',
  'closeOnAuthenticationExpiration',
]);

/** Splits `mapHub` options into the hub's and the connection endpoint's. */
export function splitMapHubOptions<T extends HubOptions>(options: T): { hub: HubOptions; endpoint: Omit<T, keyof HubOptions> } {
  const hub: Record<string, unknown> = {};
  const endpoint: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) (hubOptionKeys.has(key) ? hub : endpoint)[key] = value;
  return { hub, endpoint: endpoint as Omit<T, keyof HubOptions> };
}

/** Options after defaults are applied. */
export interface ResolvedHubOptions {
  readonly keepAliveIntervalMs: number;
  readonly clientTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maximumReceiveMessageSize: number | null;
  readonly streamBufferCapacity: number;
  readonly maximumParallelInvocationsPerClient: number;
  readonly enableDetailedErrors: boolean;
  readonly clientResultTimeoutMs: number | null;
  readonly statefulReconnectBufferSize: number;
  readonly authorization: HubAuthorization;
  readonly userIdProvider: (connection: Connection) => string | undefined;
  readonly invocationRateLimit: Required<InvocationRateLimit> | null;
  readonly maximumGroupsPerConnection: number | null;
  readonly closeOnAuthenticationExpiration: boolean;
}

/** The defaults, as in .NET's `HubOptionsSetup`. */
export const hubOptionDefaults: ResolvedHubOptions = Object.freeze({
  keepAliveIntervalMs: 15_000,
  clientTimeoutMs: 30_000,
  handshakeTimeoutMs: 15_000,
  maximumReceiveMessageSize: 32_768,
  streamBufferCapacity: 10,
  maximumParallelInvocationsPerClient: 1,
  enableDetailedErrors: false,
  clientResultTimeoutMs: null,
  statefulReconnectBufferSize: 100_000,
  authorization: Object.freeze({}),
  userIdProvider: (connection: Connection) => connection.user?.userId,
  invocationRateLimit: null,
  maximumGroupsPerConnection: 100,
  closeOnAuthenticationExpiration: true,
});

/** Applies defaults and validates ranges. @throws HubError `ERR_HUB_INVALID_OPTION` */
export function resolveHubOptions(options: HubOptions = {}): ResolvedHubOptions {
  const resolved: ResolvedHubOptions = {
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? hubOptionDefaults.keepAliveIntervalMs,
    clientTimeoutMs: options.clientTimeoutMs ?? hubOptionDefaults.clientTimeoutMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? hubOptionDefaults.handshakeTimeoutMs,
    maximumReceiveMessageSize:
      options.maximumReceiveMessageSize === undefined
        ? hubOptionDefaults.maximumReceiveMessageSize
        : options.maximumReceiveMessageSize,
    streamBufferCapacity: options.streamBufferCapacity ?? hubOptionDefaults.streamBufferCapacity,
    maximumParallelInvocationsPerClient:
      options.maximumParallelInvocationsPerClient ?? hubOptionDefaults.maximumParallelInvocationsPerClient,
    enableDetailedErrors: options.enableDetailedErrors ?? hubOptionDefaults.enableDetailedErrors,
    clientResultTimeoutMs:
      options.clientResultTimeoutMs === undefined ? hubOptionDefaults.clientResultTimeoutMs : options.clientResultTimeoutMs,
    statefulReconnectBufferSize: options.statefulReconnectBufferSize ?? hubOptionDefaults.statefulReconnectBufferSize,
    authorization: options.authorization ?? hubOptionDefaults.authorization,
    userIdProvider: options.userIdProvider ?? hubOptionDefaults.userIdProvider,
    invocationRateLimit: resolveRateLimit(options.invocationRateLimit),
    maximumGroupsPerConnection:
      options.maximumGroupsPerConnection === undefined ? hubOptionDefaults.maximumGroupsPerConnection : options.maximumGroupsPerConnection,
    closeOnAuthenticationExpiration: options.closeOnAuthenticationExpiration ?? hubOptionDefaults.closeOnAuthenticationExpiration,
  };
  if (resolved.maximumGroupsPerConnection !== null) requirePositive('maximumGroupsPerConnection', resolved.maximumGroupsPerConnection, true);
  requirePositive('keepAliveIntervalMs', resolved.keepAliveIntervalMs);
  requirePositive('clientTimeoutMs', resolved.clientTimeoutMs);
  requirePositive('handshakeTimeoutMs', resolved.handshakeTimeoutMs);
  if (resolved.maximumReceiveMessageSize !== null) requirePositive('maximumReceiveMessageSize', resolved.maximumReceiveMessageSize);
  requirePositive('streamBufferCapacity', resolved.streamBufferCapacity, true);
  requirePositive('maximumParallelInvocationsPerClient', resolved.maximumParallelInvocationsPerClient, true);
  if (resolved.clientResultTimeoutMs !== null) requirePositive('clientResultTimeoutMs', resolved.clientResultTimeoutMs);
  requirePositive('statefulReconnectBufferSize', resolved.statefulReconnectBufferSize, true);
  return resolved;
}

function resolveRateLimit(limit: InvocationRateLimit | null | undefined): Required<InvocationRateLimit> | null {
  if (limit === undefined || limit === null) return hubOptionDefaults.invocationRateLimit;
  const resolved = { perSecond: limit.perSecond, burst: limit.burst ?? Math.max(1, Math.ceil(limit.perSecond)), closeAfterRejections: limit.closeAfterRejections ?? 100 };
  requirePositive('invocationRateLimit.perSecond', resolved.perSecond);
  requirePositive('invocationRateLimit.burst', resolved.burst, true);
  requirePositive('invocationRateLimit.closeAfterRejections', resolved.closeAfterRejections, true);
  return resolved;
}

function requirePositive(name: string, value: number, integer = false): void {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new HubError(
      HubErrorCode.InvalidOption,
      `Hub option '${name}' must be a positive ${integer ? 'integer' : 'number'}; got ${String(value)}.`,
    );
  }
}

/**
 * How often the shared heartbeat must tick to honour these options: a quarter of the shortest interval,
 * at most once a second (the .NET heartbeat period), at least every 10 ms.
 */
export function heartbeatPeriodFor(options: ResolvedHubOptions): number {
  let shortest = Math.min(options.keepAliveIntervalMs, options.clientTimeoutMs, options.handshakeTimeoutMs);
  if (options.clientResultTimeoutMs !== null) shortest = Math.min(shortest, options.clientResultTimeoutMs);
  return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
}
