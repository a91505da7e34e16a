/**
 * Access tokens on every transport against the real server: where the token travels, when the
 * factory is asked, and the one retry with a fresh token after a 401.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessDeniedError, bearerToken } from '@switchyard/server';
import { createClient, startTestServer, type TestServer } from './test-support/test-server.js';

/** Tokens the server accepts right now, and where each request carried its token. */
const accepted = new Set<string>();
const seen: Array<{ header: boolean; query: boolean; token: string | undefined }> = [];

let server: TestServer;
before(async () => {
  server = await startTestServer({
    hubOptions: {
      authenticate: (req) => {
        const query = new URL(req.url ?? '/', 'http://x').searchParams.has('access_token');
        const token = bearerToken(req);
        seen.push({ header: req.headers.authorization !== undefined, query, token });
        if (token === undefined || !accepted.has(token)) return Promise.reject(new AccessDeniedError(401));
        return Promise.resolve({ userId: token.split('-')[0]!, claims: {} });
      },
    },
  });
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  accepted.clear();
  seen.length = 0;
});

for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
  test(`${transport}: the token travels as a bearer header, never in the URL (Node)`, async () => {
    accepted.add('alice-1');
    let asked = 0;
    const connection = createClient(server.hubUrl, transport, 'json', { accessTokenFactory: () => (asked++, 'alice-1') });
    await connection.start();
    try {
      assert.equal(await connection.invoke('whoAmI'), 'alice');
      assert.ok(seen.length >= 2 && seen.every((s) => s.header && !s.query && s.token === 'alice-1'));
      // Negotiate always asks; so does every WebSocket connect. Other requests reuse the token.
      assert.equal(asked, transport === 'WebSockets' ? 2 : 1);
    } finally {
      await connection.stop();
    }
  });
}

test('a 401 on a send or poll fetches a fresh token and retries once', async () => {
  accepted.add('bob-1');
  let issued = 0;
  const connection = createClient(server.hubUrl, 'LongPolling', 'json', {
    accessTokenFactory: () => {
      issued++;
      const token = `bob-${issued}`;
      accepted.add(token);
      return token;
    },
  });
  await connection.start();
  try {
    accepted.delete('bob-1'); // expired
    assert.equal(await connection.invoke('echo', 'after expiry'), 'after expiry');
    assert.ok(issued >= 2, 'a fresh token was fetched');
    assert.ok(seen.some((s) => s.token === 'bob-1') && seen.some((s) => s.token === `bob-${issued}`));
  } finally {
    await connection.stop();
  }
});

test('a negotiate refused with 401 fails start() without a retry', async () => {
  let asked = 0;
  const connection = createClient(server.hubUrl, 'LongPolling', 'json', { accessTokenFactory: () => `nobody-${++asked}` });
  await assert.rejects(connection.start(), /Status code '401'/);
  assert.equal(asked, 1);
});
