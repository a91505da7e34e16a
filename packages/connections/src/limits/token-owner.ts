/**
 * A connection token is useless to anyone but the user who negotiated it. ASP.NET Core checks the user
 * of every transport request against the connection's and only logs a warning when it changed
 * (`UserNameChanged`); Switchyard refuses such a request with 403, so a leaked token (in a log, a
 * proxy's access log, a shared link) cannot be used with another account's credentials or without any.
 *
 * The owner is `Principal.userId` at negotiate (or at the WebSocket upgrade that created the connection
 * without negotiate). Every later request naming the token (WebSocket upgrade, event stream, poll, POST,
 * DELETE) must authenticate as the same user id; anonymous stays anonymous. Endpoints without an
 * `authenticate` hook have no users, so nothing is checked there.
 */
import type { Principal } from '../connection.js';

/** The text of the 403 answer (docs/errors.md, `ERR_CONNECTION_FOREIGN_TOKEN`). */
export const FOREIGN_TOKEN = 'The connection belongs to another user.';

/** Remembers who negotiated each connection; entries vanish with their connections. */
export class TokenOwners {
  readonly #owners = new WeakMap<object, string>();

  /** Records `user` as the owner of `connection` (anonymous owners need no entry). */
  bind(connection: object, user: Principal | undefined): void {
    const userId = user?.userId;
    if (userId !== undefined) this.#owners.set(connection, userId);
  }

  /** True when a request authenticated as `user` may use `connection`. */
  allows(connection: object, user: Principal | undefined): boolean {
    return this.#owners.get(connection) === user?.userId;
  }
}
