/**
 * The admission checks of one endpoint, in one place so the request handlers stay small: connection
 * limits per address and per user when a connection is created, and the token owner check on every
 * request that names an existing connection. Refusals are answered here and counted through the
 * endpoint's instrumentation (`connectionRefused`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Principal } from '../connection.js';
import { rejectUpgrade, respondText } from '../http-responses.js';
import type { ResolvedConnectionEndpointOptions } from '../options.js';
import { ConnectionLimiter } from './connection-limiter.js';
import { FOREIGN_TOKEN, TokenOwners } from './token-owner.js';

export class ConnectionGuards {
  readonly #options: ResolvedConnectionEndpointOptions;
  readonly #limiter: ConnectionLimiter;
  readonly #owners = new TokenOwners();

  constructor(options: ResolvedConnectionEndpointOptions) {
    this.#options = options;
    this.#limiter = new ConnectionLimiter(options.maxConnectionsPerAddress, options.maxConnectionsPerUser);
  }

  /**
   * Before creating a connection for `req`: false after answering 429 (`res`) or refusing the upgrade
   * (`socket`) when a limit is reached.
   */
  mayCreate(req: IncomingMessage, user: Principal | undefined, reply: ServerResponse | Duplex): boolean {
    if (!this.#limiter.enabled) return true;
    const refusal = this.#limiter.check(req.socket.remoteAddress, user);
    if (refusal === undefined) return true;
    this.#options.instrumentation.connectionRefused?.(refusal.kind);
    answer(reply, refusal.status, refusal.text);
    return false;
  }

  /** A connection was created for `req` (after {@link mayCreate}): count it and remember its owner. */
  created(connection: object, req: IncomingMessage, user: Principal | undefined): void {
    if (this.#limiter.enabled) this.#limiter.admit(connection, req.socket.remoteAddress, user);
    this.#owners.bind(connection, user);
  }

  /** The connection ended: it no longer counts. */
  ended(connection: object): void {
    this.#limiter.release(connection);
  }

  /**
   * A request naming an existing connection: false after answering 403 when it authenticated as
   * another user than the one who negotiated the connection.
   */
  mayUse(connection: object, user: Principal | undefined, reply: ServerResponse | Duplex): boolean {
    if (this.#options.authenticate === undefined || this.#owners.allows(connection, user)) return true;
    this.#options.instrumentation.connectionRefused?.('foreign_token');
    answer(reply, 403, FOREIGN_TOKEN);
    return false;
  }
}

function answer(reply: ServerResponse | Duplex, status: number, text: string): void {
  if ('setHeader' in reply) respondText(reply, status, text);
  else rejectUpgrade(reply, status, text);
}
