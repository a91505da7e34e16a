/**
 * Options of a {@link HubConnection}, declared and documented once here; the defaults live in
 * {@link hubConnectionDefaults}, and docs/options.md ("Client options") lists the same table.
 */
import { JsonHubProtocol, type HubProtocol } from '@switchyard/protocol';
import { ClientError, ClientErrorCode } from './errors.js';
import type { AccessTokenFactory, FetchFunction } from './http-client.js';
import { silentLogger, type Logger } from './logger.js';
import { exponentialBackoff, fixedDelays, type ReconnectPolicy } from './reconnect-policy.js';
import { transportKinds, type TransportKind } from './transports/transport.js';
import type { WebSocketConstructor } from './transports/websocket.js';

export interface HubConnectionOptions {
  /** The hub's URL: absolute `http(s)://…`, or relative to the page in browsers. */
  readonly url: string;
  /**
   * The hub protocol. Pass `new MessagePackHubProtocol()` from `@switchyard/protocol-msgpack` for
   * MessagePack (binary: never over Server-Sent Events).
   * @default new JsonHubProtocol()
   */
  readonly protocol?: HubProtocol;
  /**
   * The transport, or the transports, the client may use. The server's order decides among them; the
   * next one is tried when one fails.
   * @default ['WebSockets', 'ServerSentEvents', 'LongPolling']
   */
  readonly transport?: TransportKind | readonly TransportKind[];
  /**
   * Connect the WebSocket directly, without negotiate: no fallback and no connection id, but no sticky
   * sessions needed either. Requires `transport: 'WebSockets'`.
   * @default false
   */
  readonly skipNegotiation?: boolean;
  /**
   * Returns the bearer token. Called for every negotiate and every WebSocket connect; other requests reuse
   * the last token and ask again once on a 401.
   * @default undefined (no token)
   */
  readonly accessTokenFactory?: AccessTokenFactory;
  /**
   * Extra headers for every HTTP request (and the WebSocket, where the platform allows it: not in browsers).
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Send cookies cross-origin (fetch `credentials: 'include'`); the server's CORS must then allow credentials.
   * @default true
   */
  readonly withCredentials?: boolean;
  /** Timeout of negotiate, send and DELETE requests (not of polls or streams), in ms. @default 100_000 */
  readonly requestTimeoutMs?: number;
  /**
   * The WebSocket class. Node 20 has none: pass `WebSocket` from the `ws` package (the token and
   * `headers` then go as HTTP headers instead of the query string).
   * @default globalThis.WebSocket
   */
  readonly WebSocket?: WebSocketConstructor;
  /** The fetch function, for instance one that keeps cookies in Node. @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  /**
   * Automatic reconnect after a lost connection: `true` for {@link exponentialBackoff}'s defaults, a
   * list of delays in ms (then give up), or a {@link ReconnectPolicy}. Each attempt is a new connection.
   * @default false
   */
  readonly reconnect?: boolean | readonly number[] | ReconnectPolicy;
  /** Fail the connection when nothing arrived for this long, in ms. Keep it about twice the server's keep-alive. @default 30_000 */
  readonly serverTimeoutMs?: number;
  /** Send a Ping after this long without sending anything, in ms. @default 15_000 */
  readonly keepAliveIntervalMs?: number;
  /**
   * Ask for stateful reconnect: if the server agrees (and the transport is WebSockets), a dropped socket
   * is re-attached to the same connection and nothing sent in either direction is lost or repeated.
   * @default true
   */
  readonly statefulReconnect?: boolean;
  /**
   * Stateful reconnect: bytes of sent-but-unacknowledged messages kept for replay; at this size, sends
   * wait for the server's acks (backpressure). Servers acknowledge about once a second, so this also
   * caps what the client can send per second: hence more than the official client's 100 000.
   * @default 1_000_000 (bytes)
   */
  readonly statefulReconnectBufferBytes?: number;
  /** Where the client logs (`console` fits). @default silentLogger */
  readonly logger?: Logger;
}

/** The defaults of {@link HubConnectionOptions}. */
export const hubConnectionDefaults = {
  transport: transportKinds,
  skipNegotiation: false,
  headers: {},
  withCredentials: true,
  requestTimeoutMs: 100_000,
  reconnect: false,
  serverTimeoutMs: 30_000,
  keepAliveIntervalMs: 15_000,
  statefulReconnect: true,
  statefulReconnectBufferBytes: 1_000_000,
} as const;

/** Options after defaults and validation. @internal */
export interface ResolvedOptions {
  readonly url: string;
  readonly protocol: HubProtocol;
  readonly transports: readonly TransportKind[];
  readonly skipNegotiation: boolean;
  readonly accessTokenFactory: AccessTokenFactory | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly withCredentials: boolean;
  readonly requestTimeoutMs: number;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly webSocketHeaders: boolean;
  readonly fetch: FetchFunction;
  readonly streamingFetch: boolean;
  readonly reconnectPolicy: ReconnectPolicy | undefined;
  readonly serverTimeoutMs: number;
  readonly keepAliveIntervalMs: number;
  readonly statefulReconnect: boolean;
  readonly statefulReconnectBufferBytes: number;
  readonly logger: Logger;
}

interface Platform {
  readonly WebSocket?: WebSocketConstructor;
  readonly fetch?: FetchFunction;
  readonly ReadableStream?: unknown;
  readonly document?: unknown;
  readonly location?: { readonly href?: unknown };
  readonly process?: { readonly versions?: { readonly node?: unknown } };
}

/** Applies defaults and checks every option. @throws ClientError `ERR_CLIENT_INVALID_OPTION` */
export function resolveOptions(options: HubConnectionOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object with at least a url');
  const d = hubConnectionDefaults;
  const platform = globalThis as Platform;
  const transports = resolveTransports(options.transport ?? d.transport);
  const skipNegotiation = options.skipNegotiation ?? d.skipNegotiation;
  if (skipNegotiation && (transports.length !== 1 || transports[0] !== 'WebSockets')) {
    throw invalid('Negotiation can only be skipped when using the WebSocket transport directly.');
  }
  const fetchFunction = options.fetch ?? (platform.fetch === undefined ? undefined : platform.fetch.bind(globalThis));
  if (typeof fetchFunction !== 'function') throw invalid('no fetch function: pass one as the fetch option');
  if (options.accessTokenFactory !== undefined && typeof options.accessTokenFactory !== 'function') {
    throw invalid('accessTokenFactory must be a function');
  }
  return {
    url: resolveUrl(options.url, platform),
    protocol: options.protocol ?? new JsonHubProtocol(),
    transports,
    skipNegotiation,
    accessTokenFactory: options.accessTokenFactory,
    headers: options.headers ?? d.headers,
    withCredentials: options.withCredentials ?? d.withCredentials,
    requestTimeoutMs: duration('requestTimeoutMs', options.requestTimeoutMs ?? d.requestTimeoutMs),
    WebSocket: options.WebSocket ?? platform.WebSocket,
    // Browsers and workers cannot set WebSocket headers; a constructor handed to us in Node is `ws`-like.
    webSocketHeaders: options.WebSocket !== undefined && platform.document === undefined && typeof platform.process?.versions?.node === 'string',
    fetch: fetchFunction,
    streamingFetch: platform.ReadableStream !== undefined,
    reconnectPolicy: resolveReconnect(options.reconnect ?? d.reconnect),
    serverTimeoutMs: duration('serverTimeoutMs', options.serverTimeoutMs ?? d.serverTimeoutMs),
    keepAliveIntervalMs: duration('keepAliveIntervalMs', options.keepAliveIntervalMs ?? d.keepAliveIntervalMs),
    statefulReconnect: options.statefulReconnect ?? d.statefulReconnect,
    statefulReconnectBufferBytes: duration('statefulReconnectBufferBytes', options.statefulReconnectBufferBytes ?? d.statefulReconnectBufferBytes),
    logger: options.logger ?? silentLogger,
  };
}

function resolveUrl(url: unknown, platform: Platform): string {
  if (typeof url !== 'string' || url === '') throw invalid('url must be a non-empty string');
  const base = platform.location?.href;
  try {
    const resolved = typeof base === 'string' ? new URL(url, base) : new URL(url);
    if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') throw new Error(resolved.protocol);
    return resolved.toString();
  } catch (error) {
    throw invalid(`Cannot resolve '${url}': use an absolute http(s) URL outside browsers.`, error);
  }
}

function resolveTransports(value: TransportKind | readonly TransportKind[]): readonly TransportKind[] {
  const list: readonly unknown[] = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw invalid('transport must name at least one transport');
  for (const kind of list) {
    if (!transportKinds.includes(kind as TransportKind)) throw invalid(`unknown transport '${String(kind)}'`);
  }
  return list as readonly TransportKind[];
}

function resolveReconnect(value: boolean | readonly number[] | ReconnectPolicy): ReconnectPolicy | undefined {
  if (value === false) return undefined;
  if (value === true) return exponentialBackoff();
  if (Array.isArray(value)) {
    for (const delay of value as readonly unknown[]) {
      if (typeof delay !== 'number' || !(delay >= 0)) throw invalid('reconnect delays must be numbers >= 0 (ms)');
    }
    return fixedDelays(value as readonly number[]);
  }
  const policy = value as Partial<ReconnectPolicy> | null;
  if (typeof policy?.nextRetryDelayMs !== 'function') throw invalid('reconnect must be a boolean, an array of delays or a ReconnectPolicy');
  return policy as ReconnectPolicy;
}

function duration(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`${name} must be a positive finite number, got ${String(value)}`);
  }
  return value;
}

function invalid(message: string, cause?: unknown): ClientError {
  return new ClientError(ClientErrorCode.InvalidOption, message, { cause });
}
