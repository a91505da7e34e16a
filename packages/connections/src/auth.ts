import type { IncomingMessage } from 'node:http';
import type { Principal } from './connection.js';
import { AccessDeniedError } from './errors.js';
import type { AuthenticateHook } from './options.js';
import { queryOf, queryValue } from './request-target.js';

/**
 * The bearer token of a request: `Authorization: Bearer <token>` (what the official client sends on
 * every request in Node, and on HTTP requests in browsers), else the `access_token` query value (what
 * browsers send for WebSockets and Server-Sent Events, which cannot carry headers).
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization !== undefined && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    const token = authorization.slice(7).trim();
    if (token.length > 0) return token;
  }
  const token = queryValue(queryOf(req.url ?? ''), 'access_token');
  return token === undefined || token.length === 0 ? undefined : token;
}

/** The outcome of authentication: a principal, anonymous (`undefined`), or the HTTP status to refuse with. */
export type AuthOutcome = Principal | undefined | number;

/** Runs the hook and applies `requireAuthentication`; never throws. */
export async function authenticate(hook: AuthenticateHook, required: boolean, req: IncomingMessage): Promise<AuthOutcome> {
  let principal: Principal | undefined;
  try {
    principal = await hook(req);
  } catch (error) {
    return error instanceof AccessDeniedError ? error.status : 500;
  }
  if (principal == null) return required ? 401 : undefined;
  return principal;
}
