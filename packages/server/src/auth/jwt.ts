/**
 * A ready-made `authenticate` hook for JSON Web Tokens (jose under the hood). The token comes from
 * `Authorization: Bearer` or the `access_token` query (browsers cannot set headers on WebSockets/SSE).
 * A missing, invalid or expired token yields an anonymous request, which `requireAuthentication`
 * (or a hub `authorization.hub` policy) turns into 401.
 */
import type { IncomingMessage } from 'node:http';
import { bearerToken, type Principal } from '@switchyard/connections';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyInput } from 'jose';
import { HubError, HubErrorCode } from '../errors.js';

/** The claim .NET uses for user ids (`ClaimTypes.NameIdentifier`), in its long and JWT short forms. */
const NAME_IDENTIFIER_CLAIMS = ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier', 'nameid'];

/** Verified tokens kept so each poll or POST of a connection does not verify again. */
const CACHE_SIZE = 1024;

export interface JwtAuthenticatorOptions {
  /** Shared secret for HMAC tokens (HS256/384/512). */
  secret?: string | Uint8Array;
  /** URL of a JSON Web Key Set (fetched and cached by jose) for asymmetric tokens. */
  jwksUrl?: string | URL;
  /** A verification key: CryptoKey, KeyObject or JWK. */
  key?: KeyInput;
  /** Required `iss`. @default undefined (not checked) */
  issuer?: string | readonly string[];
  /** Required `aud`. @default undefined (not checked) */
  audience?: string | readonly string[];
  /** Accepted algorithms. @default jose's default for the key type */
  algorithms?: readonly string[];
  /**
   * Claim holding the user id. When absent from a token, .NET's NameIdentifier claim is used instead.
   * @default 'sub'
   */
  userIdClaim?: string;
  /** Allowed clock difference when checking `exp`/`nbf`, in seconds. @default 0 */
  clockToleranceSeconds?: number;
}

/**
 * Creates an `authenticate` hook for `mapHub` options.
 * @throws HubError `ERR_HUB_INVALID_OPTION` unless exactly one of `secret`, `jwksUrl`, `key` is given.
 * @example
 * app.mapHub('/chat', ChatHub, { authenticate: jwtAuthenticator({ secret: process.env.JWT_SECRET! }), requireAuthentication: true });
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): (request: IncomingMessage) => Promise<Principal | undefined> {
  const key = verificationKey(options);
  const userIdClaim = options.userIdClaim ?? 'sub';
  const verifyOptions = {
    issuer: options.issuer as string | string[] | undefined,
    audience: options.audience as string | string[] | undefined,
    algorithms: options.algorithms as string[] | undefined,
    clockTolerance: options.clockToleranceSeconds,
  };
  // Cached until the token expires, clock tolerance included (as jose would still accept it).
  const toleranceMs = (options.clockToleranceSeconds ?? 0) * 1000;
  const cache = new Map<string, { readonly principal: Principal; readonly validUntil: number }>();

  return async (request) => {
    const token = bearerToken(request);
    if (token === undefined) return undefined;
    const cached = cache.get(token);
    if (cached !== undefined) {
      if (cached.validUntil > Date.now()) return cached.principal;
      cache.delete(token);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, verifyOptions));
    } catch {
      // Invalid, expired or unverifiable: the request is anonymous.
      return undefined;
    }
    const principal: Principal = {
      userId: userIdOf(payload, userIdClaim),
      claims: payload,
      // When this token stops being accepted: `exp` plus the clock tolerance. Hubs close connections
      // then (closeOnAuthenticationExpiration), so a WebSocket ends when its next poll would be refused.
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 + toleranceMs : undefined,
    };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(token, { principal, validUntil: principal.expiresAt ?? Infinity });
    return principal;
  };
}

function verificationKey(options: JwtAuthenticatorOptions): KeyInput | JWTVerifyGetKey {
  const given = [options.secret, options.jwksUrl, options.key].filter((value) => value !== undefined).length;
  if (given !== 1) {
    throw new HubError(HubErrorCode.InvalidOption, 'jwtAuthenticator needs exactly one of secret, jwksUrl or key.');
  }
  if (options.secret !== undefined) {
    return typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  }
  if (options.jwksUrl !== undefined) return createRemoteJWKSet(new URL(options.jwksUrl));
  return options.key!;
}

function userIdOf(payload: JWTPayload, claim: string): string | undefined {
  for (const name of [claim, ...NAME_IDENTIFIER_CLAIMS]) {
    const value = payload[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
