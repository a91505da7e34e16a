import { Hub } from '@switchyard/server';

/**
 * Mirrors `FunctionalTests.HubWithAuthorization` at `/authorizedhub`. The hub itself is trivial;
 * what the tests check is that every request to its endpoint needs a bearer token
 * (checked by `createTestAuthority` in test-authority.ts).
 */
export class AuthorizedHub extends Hub {
  echo(message: string): string {
    return message;
  }
}
