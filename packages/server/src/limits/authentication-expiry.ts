/**
 * `closeOnAuthenticationExpiration`, as ASP.NET Core's `CloseOnAuthenticationExpiration`: its
 * connection manager compares each connection's authentication expiry (refreshed by every request,
 * hence by every long poll) with the clock on its heartbeat and asks the hub to close. The hub then
 * sends Close with `allowReconnect` (.NET sends no error text; Switchyard says why), so the client
 * reconnects, which authenticates again: with a fresh token it goes on, with none it gets 401.
 */
import type { Principal } from '@switchyard/connections';
import { HubErrorCode, HubLimitException } from '../errors.js';

/** The Close reason (after "Connection closed with an error. HubException: "). */
export const AUTHENTICATION_EXPIRED = 'The authentication expired.';

/** True when `user`'s credentials have expired at `nowMs` (wall clock: `expiresAt` is epoch ms). */
export function authenticationExpired(user: Principal | undefined, nowMs: number): boolean {
  const expiresAt = user?.expiresAt;
  return expiresAt !== undefined && expiresAt <= nowMs;
}

/** The error a session closes with, and `onDisconnected` receives. */
export function authenticationExpiredError(): HubLimitException {
  return new HubLimitException(HubErrorCode.AuthenticationExpired, AUTHENTICATION_EXPIRED);
}
