/** Authentication end to end: JWTs from header or query, 401 for anonymous/expired, users as targets. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { jwtAuthenticator } from '../auth/jwt.js';
import { nextCall, officialClient, startApp, type TestApp } from '../test-support/e2e.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

const SECRET = 'a-test-secret-of-sufficient-length-for-hs256';

async function token(claims: Record<string, unknown>, expiresIn: string | number = '1h'): Promise<string> {
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));
}

/**
 * `jwt` with one signature character changed. Not the last one: it carries only 4 of its 6 bits, so
 * some replacements decode to the very same signature.
 */
function forge(jwt: string): string {
  const at = jwt.length - 10;
  return jwt.slice(0, at) + (jwt[at] === 'A' ? 'B' : 'A') + jwt.slice(at + 1);
}

describe('authentication with the official client', () => {
  let server: TestApp;
  before(async () => {
    server = await startApp((app) => {
      const authenticate = jwtAuthenticator({ secret: SECRET });
      app.mapHub('/secure', E2EHub, { authenticate, authorization: { hub: true } });
      app.mapHub('/admins', E2EHub, { authenticate, authorization: { hub: (user) => user.claims['role'] === 'admin' } });
      app.mapHub('/open', E2EHub, { authenticate, authorization: { methods: { whoAmI: true } } });
    });
  });
  after(() => server.close());

  for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
    test(`${transport}: a valid token connects and names the user`, async () => {
      const jwt = await token({ sub: 'ann' });
      const connection = officialClient(`${server.baseUrl}/secure`, transport, 'json', { accessTokenFactory: () => jwt });
      await connection.start();
      try {
        assert.equal(await connection.invoke('whoAmI'), 'ann');
      } finally {
        await connection.stop();
      }
    });
  }

  test('no token: negotiate fails with 401, exactly as the official functional tests expect', async () => {
    const connection = officialClient(`${server.baseUrl}/secure`, 'WebSockets', 'json');
    await assert.rejects(connection.start(), {
      message: "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'",
    });
  });

  test('an expired or forged token is anonymous, hence 401', async () => {
    const expired = await token({ sub: 'ann' }, Math.floor(Date.now() / 1000) - 60);
    const forged = forge(await token({ sub: 'ann' }));
    for (const jwt of [expired, forged]) {
      const connection = officialClient(`${server.baseUrl}/secure`, 'LongPolling', 'json', { accessTokenFactory: () => jwt });
      await assert.rejects(connection.start(), /Status code '401'/);
    }
  });

  test('a hub policy refusing the user answers 403', async () => {
    const user = officialClient(`${server.baseUrl}/admins`, 'WebSockets', 'json', { accessTokenFactory: () => token({ sub: 'bob' }) });
    await assert.rejects(user.start(), /Status code '403'/);
    const admin = officialClient(`${server.baseUrl}/admins`, 'WebSockets', 'json', {
      accessTokenFactory: () => token({ sub: 'root', role: 'admin' }),
    });
    await admin.start();
    await admin.stop();
  });

  test('skipNegotiation sends the token on the WebSocket request itself', async () => {
    const jwt = await token({ sub: 'ws-user' });
    const connection = officialClient(`${server.baseUrl}/secure`, 'WebSockets', 'json', { skipNegotiation: true, accessTokenFactory: () => jwt });
    await connection.start();
    try {
      assert.equal(await connection.invoke('whoAmI'), 'ws-user');
    } finally {
      await connection.stop();
    }
  });

  test('method policies: anonymous callers may connect but not call guarded methods', async () => {
    const anonymous = officialClient(`${server.baseUrl}/open`, 'WebSockets', 'json');
    await anonymous.start();
    try {
      await assert.rejects(anonymous.invoke('whoAmI'), { message: "Failed to invoke 'whoAmI' because user is unauthorized" });
      assert.equal(await anonymous.invoke('echo', 1), 1);
    } finally {
      await anonymous.stop();
    }
  });

  test("clients.user reaches every connection of a user, including .NET's nameidentifier claim", async () => {
    const nameIdentifier = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';
    const first = officialClient(`${server.baseUrl}/secure`, 'WebSockets', 'messagepack', { accessTokenFactory: () => token({ sub: 'carol' }) });
    const second = officialClient(`${server.baseUrl}/secure`, 'LongPolling', 'json', {
      accessTokenFactory: () => token({ [nameIdentifier]: 'carol' }),
    });
    const other = officialClient(`${server.baseUrl}/secure`, 'ServerSentEvents', 'json', { accessTokenFactory: () => token({ sub: 'dave' }) });
    const heard = [nextCall<string>(), nextCall<string>()];
    first.on('Notice', heard[0]!.callback);
    second.on('Notice', heard[1]!.callback);
    const otherHeard: unknown[] = [];
    other.on('Notice', (message: unknown) => otherHeard.push(message));
    await Promise.all([first.start(), second.start(), other.start()]);
    try {
      await server.app.hubContext(E2EHub).clients.user('carol').send('Notice', 'for carol');
      assert.deepEqual(await Promise.all(heard.map((h) => withTimeout(h.next, 'user message'))), [['for carol'], ['for carol']]);
      await other.invoke('echo', 'sync');
      assert.deepEqual(otherHeard, []);
    } finally {
      await Promise.all([first.stop(), second.stop(), other.stop()]);
    }
  });
});
