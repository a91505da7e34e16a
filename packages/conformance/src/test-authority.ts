import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignJWT } from 'jose';
import { jwtAuthenticator, type Principal } from '@switchyard/server';

/** The claim type .NET's `ClaimTypes.NameIdentifier` names. */
export const NAME_IDENTIFIER_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';

/** Token lifetime, as the reference server issues them. */
export const TOKEN_LIFETIME_MS = 5_000;

/** .NET's default `TokenValidationParameters.ClockSkew`: an expired token stays valid this long. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Issues and checks the `/authorizedhub` bearer tokens. */
export interface TestAuthority {
  /** A fresh HS256 JWT for user `testuser` (what `GET /generateJwtToken` returns). */
  issueToken(): Promise<string>;
  /** The principal for a request carrying a valid token, undefined otherwise. */
  authenticate(request: IncomingMessage): Promise<Principal | undefined>;
}

/**
 * Mirrors the reference server's JWT setup: a random per-process HS256 key; tokens with
 * NameIdentifier `testuser`, issuer `SignalRTestServer`, audience `SignalRTests`, 5 s lifetime;
 * validation (Switchyard's `jwtAuthenticator`, which reads the `Authorization` header or the
 * `access_token` query) checks the signature and the lifetime with the 5 min default clock skew but
 * neither issuer nor audience, and requires the NameIdentifier claim.
 */
export function createTestAuthority(): TestAuthority {
  const key = randomBytes(32);
  const verify = jwtAuthenticator({
    secret: key,
    algorithms: ['HS256'],
    clockToleranceSeconds: CLOCK_SKEW_MS / 1000,
    userIdClaim: NAME_IDENTIFIER_CLAIM,
  });
  return {
    async issueToken() {
      const nowSeconds = Math.floor(Date.now() / 1000);
      return await new SignJWT({ [NAME_IDENTIFIER_CLAIM]: 'testuser' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject('testuser')
        .setIssuer('SignalRTestServer')
        .setAudience('SignalRTests')
        .setExpirationTime(nowSeconds + TOKEN_LIFETIME_MS / 1000)
        .sign(key);
    },
    async authenticate(request) {
      const principal = await verify(request);
      // The reference policy also requires the NameIdentifier claim, not just a valid signature.
      return typeof principal?.claims[NAME_IDENTIFIER_CLAIM] === 'string' ? principal : undefined;
    },
  };
}
