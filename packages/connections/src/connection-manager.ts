/**
 * The connections of one endpoint, indexed by their secret token, plus the heartbeat that reaps them.
 * One timer per endpoint (unref'd, running only while there are connections) replaces per-connection
 * timers: it disposes connections inactive longer than `disconnectTimeoutMs` (negotiated but never used,
 * or a long-polling client that stopped polling) and those whose transport write is stuck longer than
 * `transportSendTimeoutMs`, as ASP.NET Core's `HttpConnectionManager.Scan` does.
 */
import { performance } from 'node:perf_hooks';
import type { ConnectionHandler } from './connection.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { ACTIVE, HttpConnection, type ConnectionOwner } from './http-connection.js';
import { newConnectionIds } from './ids.js';
import { ConnectionGuards } from './limits/connection-guards.js';
import type { ResolvedConnectionEndpointOptions } from './options.js';

/**
 * The heartbeat period: 1 s as in .NET, shorter when a timeout is short so it is honoured within a
 * quarter of its length (tests and latency-sensitive deployments), never below 10 ms.
 */
export function heartbeatPeriodFor(options: ResolvedConnectionEndpointOptions): number {
  const shortest = Math.min(options.disconnectTimeoutMs, options.transportSendTimeoutMs);
  return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
}

export class ConnectionManager implements ConnectionOwner {
  readonly handler: ConnectionHandler;
  readonly options: ResolvedConnectionEndpointOptions;
  /** Connection limits and token owners (limits/connection-guards.ts). */
  readonly guards: ConnectionGuards;
  readonly #connections = new Map<string, HttpConnection>();
  readonly #heartbeatPeriodMs: number;
  #timer: NodeJS.Timeout | undefined;
  #emptied: (() => void) | undefined;

  constructor(handler: ConnectionHandler, options: ResolvedConnectionEndpointOptions) {
    this.handler = handler;
    this.options = options;
    this.#heartbeatPeriodMs = heartbeatPeriodFor(options);
    this.guards = new ConnectionGuards(options);
  }

  get size(): number {
    return this.#connections.size;
  }

  /** A new, negotiated connection. `separateToken` is false for negotiate version 0 and skipNegotiation. */
  create(separateToken: boolean, statefulReconnect: boolean): HttpConnection {
    let ids = newConnectionIds(separateToken);
    // 128 random bits make a collision practically impossible; checking costs one lookup.
    while (this.#connections.has(ids.connectionToken)) ids = newConnectionIds(separateToken);
    const connection = new HttpConnection(this, ids, statefulReconnect, performance.now());
    this.#connections.set(connection.token, connection);
    if (this.#timer === undefined) {
      this.#timer = setInterval(this.#tick, this.#heartbeatPeriodMs);
      this.#timer.unref();
    }
    return connection;
  }

  get(token: string): HttpConnection | undefined {
    return this.#connections.get(token);
  }

  remove(connection: HttpConnection): void {
    if (this.#connections.get(connection.token) !== connection) return;
    this.#connections.delete(connection.token);
    this.guards.ended(connection);
    if (this.#connections.size === 0) {
      this.#stopTimer();
      const emptied = this.#emptied;
      this.#emptied = undefined;
      emptied?.();
    }
  }

  /**
   * Shuts every connection down (see `HttpConnection.shutdown`) and resolves once all ended. Connections
   * that do not finish within `forceAfterMs` (a peer that never answers the close handshake) are dropped.
   */
  closeAll(forceAfterMs: number): Promise<void> {
    this.#stopTimer();
    if (this.#connections.size === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      this.#emptied = resolve;
    });
    for (const connection of [...this.#connections.values()]) connection.shutdown();
    if (this.#connections.size === 0) return Promise.resolve();
    const force = setTimeout(() => {
      for (const connection of [...this.#connections.values()]) connection.abort(undefined);
    }, forceAfterMs);
    force.unref();
    return done.finally(() => clearTimeout(force));
  }

  readonly #tick = (): void => {
    const now = performance.now();
    const { disconnectTimeoutMs, transportSendTimeoutMs } = this.options;
    for (const connection of this.#connections.values()) {
      const inactiveSince = connection.inactiveSinceMs;
      if (inactiveSince !== ACTIVE && now - inactiveSince > disconnectTimeoutMs) {
        // A closing connection waiting for its last poll ends normally; anything else timed out.
        connection.abort(connection.isClosing ? undefined : new ConnectionsError(ConnectionsErrorCode.DisconnectTimeout,
          connection.transportLost
            ? `The client did not reconnect within ${disconnectTimeoutMs} ms after its WebSocket dropped; the connection was disposed.`
            : `No transport request for ${disconnectTimeoutMs} ms; the connection was disposed.`));
        continue;
      }
      const stalledSince = connection.stalledSinceMs;
      if (stalledSince >= 0 && now - stalledSince > transportSendTimeoutMs) {
        connection.abort(new ConnectionsError(ConnectionsErrorCode.SendTimeout,
          `A write to the transport did not complete within ${transportSendTimeoutMs} ms.`));
      }
    }
  };

  #stopTimer(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
