/** Authentication: the hook, 401/403 with empty bodies on negotiate and every transport request, bearerToken. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from './auth.js';
import type { Principal } from './connection.js';
import { AccessDeniedError, ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, refusedUpgrade, request } from './test-support/http.js';
import { openOfficialClient } from './test-support/official-client.js';
import { startServer, type TestServer } from './test-support/server.js';

function fakeRequest(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

describe('bearerToken', () => {
  test('reads the Authorization header, scheme case-insensitive', () => {
    assert.equal(bearerToken(fakeRequest('/chat', { authorization: 'Bearer abc.def' })), 'abc.def');
    assert.equal(bearerToken(fakeRequest('/chat', { authorization: 'bearer  xyz ' })), 'xyz');
  });

  test('falls back to the access_token query value, decoded', () => {
    assert.equal(bearerToken(fakeRequest('/chat?id=1&access_token=a%2Bb%3D')), 'a+b=');
    assert.equal(bearerToken(fakeRequest('/chat?id=1', { authorization: 'Basic Zm9v' })), undefined);
    assert.equal(bearerToken(fakeRequest('/chat?access_token=')), undefined);
  });
});

describe('authenticated endpoint', () => {
  let server: TestServer;
  let base: string;
  const recording = recordingHandler();
  const users: Record<string, Principal> = { good: { userId: 'u1', claims: { role: 'member' } } };

  before(async () => {
    const router = new ConnectionRouter();
    const authenticate = (req: IncomingMessage): Promise<Principal | undefined> => {
      const token = bearerToken(req);
      if (token === 'banned') return Promise.reject(new AccessDeniedError(403));
      if (token === 'broken') return Promise.reject(new Error('hook bug'));
      return Promise.resolve(token === undefined ? undefined : users[token]);
    };
    router.mapConnection('/secure', recording.handler, { authenticate, requireAuthentication: true });
    router.mapConnection('/optional', recording.handler, { authenticate });
    server = await startServer(router);
    base = `${server.baseUrl}/secure`;
  });
  after(() => server.close());

  const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

  test('negotiate without credentials: 401, empty body', async () => {
    const response = await request(`${base}/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(response.status, 401);
    assert.equal(response.body.length, 0);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
  });

  test('the official client reports the exact text the functional tests expect', async () => {
    await assert.rejects(openOfficialClient(base, 'LongPolling', 'Text'),
      { message: "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'" });
  });

  test('every transport request without a principal gets 401 with an empty body', async () => {
    const { connectionToken } = await negotiate(base, 'negotiateVersion=1&access_token=good');
    const url = `${base}?id=${connectionToken}`;
    for (const init of [{}, { headers: { accept: 'text/event-stream' } }, { method: 'POST', body: 'x' }, { method: 'DELETE' }]) {
      const response = await request(url, init);
      assert.equal(response.status, 401);
      assert.equal(response.body.length, 0);
    }
    const upgrade = await refusedUpgrade(url);
    assert.equal(upgrade.status, 401);
    assert.equal(upgrade.body, '');
    // With credentials the same connection works.
    assert.equal((await request(url, { headers: bearer('good') })).status, 200);
    assert.deepEqual((await recording.connections.next('connection')).user, users['good']);
    assert.equal((await request(url, { method: 'DELETE', headers: bearer('good') })).status, 202);
    await recording.closes.next('close');
  });

  test('AccessDeniedError(403) answers 403; any other hook failure 500; unknown tokens 401', async () => {
    const denied = await request(`${base}/negotiate`, { method: 'POST', headers: bearer('banned') });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.length, 0);
    assert.equal((await refusedUpgrade(base, { headers: bearer('banned') })).status, 403);
    assert.equal((await request(`${base}/negotiate`, { method: 'POST', headers: bearer('broken') })).status, 500);
    assert.equal((await request(`${base}/negotiate`, { method: 'POST', headers: bearer('nobody') })).status, 401);
  });

  for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
    test(`${transport}: the official client with an access token reaches the app, which sees the principal`, async () => {
      const client = await openOfficialClient(base, transport, 'Text', { accessTokenFactory: () => 'good' });
      const connection = await recording.connections.next('connection');
      assert.deepEqual(connection.user, users['good']);
      await client.connection.send('hi');
      assert.equal(Buffer.from((await recording.data.next('data')).payload).toString(), 'hi');
      await client.connection.stop();
      await recording.closes.next('close');
    });
  }

  test('without requireAuthentication anonymous requests pass and the user is undefined', async () => {
    const client = await openOfficialClient(`${server.baseUrl}/optional`, 'LongPolling', 'Text');
    const connection = await recording.connections.next('connection');
    assert.equal(connection.user, undefined);
    await client.connection.stop();
    await recording.closes.next('close');
  });

  test('requireAuthentication without a hook is a configuration error', () => {
    assert.throws(() => new ConnectionRouter().mapConnection('/x', recording.handler, { requireAuthentication: true }),
      (error: unknown) => error instanceof ConnectionsError && error.code === ConnectionsErrorCode.InvalidOption);
  });
});
