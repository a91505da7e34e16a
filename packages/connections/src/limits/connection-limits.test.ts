/** Connection limits per user and per address, token owners, origins on every route, token entropy. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { ConnectionRefusalReason } from '../instrumentation.js';
import type { ConnectionEndpoint } from '../endpoint.js';
import { ConnectionRouter } from '../router.js';
import { echoHandler } from '../test-support/handlers.js';
import { closeOf, negotiate, openWebSocket, refusedUpgrade, request } from '../test-support/http.js';
import { startServer, type TestServer } from '../test-support/server.js';
import { waitFor } from '../test-support/wait.js';
import { TOO_MANY_FOR_USER, TOO_MANY_FROM_ADDRESS } from './connection-limiter.js';
import { FOREIGN_TOKEN } from './token-owner.js';

/** The test's users: `x-user: ann` (or `?user=ann` for WebSockets) authenticates as ann. */
async function userFromRequest(req: IncomingMessage): Promise<{ userId: string; claims: Record<string, unknown> } | undefined> {
  const fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('user');
  const name = (req.headers['x-user'] as string | undefined) ?? fromQuery ?? undefined;
  return Promise.resolve(name === undefined ? undefined : { userId: name, claims: {} });
}

const as = (user: string): RequestInit => ({ method: 'POST', headers: { 'x-user': user } });

describe('connection limits', () => {
  let server: TestServer;
  let perUser: ConnectionEndpoint;
  const refusals: ConnectionRefusalReason[] = [];

  before(async () => {
    const router = new ConnectionRouter({ instrumentation: { connectionRefused: (reason) => refusals.push(reason) } });
    perUser = router.mapConnection('/user', echoHandler(), { authenticate: userFromRequest, maxConnectionsPerUser: 2, disconnectTimeoutMs: 300 });
    router.mapConnection('/address', echoHandler(), { maxConnectionsPerAddress: 2, maxConnectionsPerUser: null });
    server = await startServer(router);
  });
  after(() => server.close());

  test('per user: the third live connection of one user gets 429 at negotiate and at the upgrade; others pass', async () => {
    const base = `${server.baseUrl}/user`;
    const first = await request(`${base}/negotiate?negotiateVersion=1`, as('ann'));
    const second = await request(`${base}/negotiate?negotiateVersion=1`, as('ann'));
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    const third = await request(`${base}/negotiate?negotiateVersion=1`, as('ann'));
    assert.equal(third.status, 429);
    assert.equal(third.text, TOO_MANY_FOR_USER);
    const direct = await refusedUpgrade(`${base}?user=ann`);
    assert.equal(direct.status, 429);
    assert.equal(direct.body, TOO_MANY_FOR_USER);
    assert.equal((await request(`${base}/negotiate?negotiateVersion=1`, as('bob'))).status, 200);
    assert.equal((await request(`${base}/negotiate?negotiateVersion=1`, { method: 'POST' })).status, 200, 'anonymous connections are not counted per user');
    assert.deepEqual(refusals.filter((reason) => reason === 'user_limit').length, 2);

    // A connection that ends frees its place: open one of ann's as a WebSocket and close it.
    const { connectionToken } = JSON.parse(first.text) as { connectionToken: string };
    const socket = await openWebSocket(`${base}?id=${connectionToken}&user=ann`);
    socket.close();
    await closeOf(socket);
    await waitFor(async () => (await request(`${base}/negotiate?negotiateVersion=1`, as('ann'))).status === 200, 'a place freed by the closed WebSocket');
    // Negotiated but never used: the reaper disposes them after disconnectTimeoutMs, and they stop counting.
    await waitFor(() => perUser.connectionCount === 0, 'the unused connections reaped', 10_000);
    for (let i = 0; i < 2; i++) assert.equal((await request(`${base}/negotiate?negotiateVersion=1`, as('ann'))).status, 200);
  });

  test('per address: the third live connection from one address gets 429, negotiated or direct', async () => {
    const base = `${server.baseUrl}/address`;
    const socket = await openWebSocket(base);
    await negotiate(base);
    const refused = await request(`${base}/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(refused.status, 429);
    assert.equal(refused.text, TOO_MANY_FROM_ADDRESS);
    assert.equal((await refusedUpgrade(base)).status, 429);
    assert.ok(refusals.includes('address_limit'));
    socket.close();
    await closeOf(socket);
    await waitFor(async () => (await request(`${base}/negotiate?negotiateVersion=1`, { method: 'POST' })).status === 200, 'a place freed');
  });

  test('a bad limit is refused with ERR_CONNECTION_INVALID_OPTION', () => {
    const router = new ConnectionRouter();
    assert.throws(() => router.mapConnection('/bad', echoHandler(), { maxConnectionsPerUser: 0 }), { code: 'ERR_CONNECTION_INVALID_OPTION' });
    assert.throws(() => router.mapConnection('/bad2', echoHandler(), { maxConnectionsPerAddress: 1.5 }), { code: 'ERR_CONNECTION_INVALID_OPTION' });
  });
});

describe('connection tokens', () => {
  let server: TestServer;
  let base: string;

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/owned', echoHandler(), { authenticate: userFromRequest, longPollTimeoutMs: 200 });
    server = await startServer(router);
    base = `${server.baseUrl}/owned`;
  });
  after(() => server.close());

  test('are 128 random bits, distinct from the public id and from each other', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { connectionId, connectionToken } = await negotiate(base);
      assert.match(connectionToken!, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(Buffer.from(connectionToken!, 'base64url').length, 16);
      assert.notEqual(connectionToken, connectionId);
      assert.ok(!seen.has(connectionToken!));
      seen.add(connectionToken!);
    }
  });

  test("are refused (403) on every route to another user or to anonymous; the owner's requests pass", async () => {
    const { connectionToken } = JSON.parse((await request(`${base}/negotiate?negotiateVersion=1`, as('ann'))).text) as { connectionToken: string };
    const url = `${base}?id=${connectionToken}`;
    const intruders: Record<string, string>[] = [{ 'x-user': 'mallory' }, {}];
    for (const intruder of intruders) {
      const upgrade = await refusedUpgrade(intruder['x-user'] === undefined ? url : `${url}&user=mallory`);
      assert.equal(upgrade.status, 403);
      assert.equal(upgrade.body, FOREIGN_TOKEN);
      const attempts: RequestInit[] = [
        { headers: { ...intruder, accept: 'text/event-stream' } },
        { headers: intruder },
        { method: 'POST', headers: intruder, body: 'x' },
        { method: 'DELETE', headers: intruder },
      ];
      for (const init of attempts) {
        const response = await request(url, init);
        assert.equal(response.status, 403, `${init.method ?? 'GET'} ${JSON.stringify(init.headers)}`);
        assert.equal(response.text, FOREIGN_TOKEN);
      }
    }
    // The owner still has an unused connection: its long polling works.
    assert.equal((await request(url, { headers: { 'x-user': 'ann' } })).status, 200);
    assert.equal((await request(url, { method: 'POST', headers: { 'x-user': 'ann' }, body: 'hi' })).status, 200);
    assert.equal((await request(url, { headers: { 'x-user': 'ann' } })).text, 'hi');
    assert.equal((await request(url, { method: 'DELETE', headers: { 'x-user': 'ann' } })).status, 202);
  });
});

describe('origin allow-list on every route', () => {
  let server: TestServer;
  let base: string;
  const app = 'https://app.example.com';
  const evil = 'https://evil.example.com';
  const refusals: ConnectionRefusalReason[] = [];

  before(async () => {
    const router = new ConnectionRouter({ cors: { origins: [app] }, instrumentation: { connectionRefused: (reason) => refusals.push(reason) } });
    router.mapConnection('/chat', echoHandler(), { longPollTimeoutMs: 200 });
    server = await startServer(router);
    base = `${server.baseUrl}/chat`;
  });
  after(() => server.close());

  test('negotiate, event stream, poll, send and DELETE from a refused origin get 403; the allowed origin works', async () => {
    const refusedNegotiate = await request(`${base}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { origin: evil } });
    assert.equal(refusedNegotiate.status, 403);
    assert.equal(refusedNegotiate.text, 'Origin not allowed.');
    const { connectionToken } = JSON.parse((await request(`${base}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { origin: app } })).text) as { connectionToken: string };
    const url = `${base}?id=${connectionToken}`;
    const attempts: RequestInit[] = [
      { headers: { origin: evil, accept: 'text/event-stream' } },
      { headers: { origin: evil } },
      { method: 'POST', headers: { origin: evil }, body: 'x' },
      { method: 'DELETE', headers: { origin: evil } },
    ];
    for (const init of attempts) {
      assert.equal((await request(url, init)).status, 403, init.method ?? 'GET');
    }
    assert.equal((await refusedUpgrade(url, { origin: evil })).status, 403);
    assert.equal(refusals.filter((reason) => reason === 'origin').length, 6);
    // Nothing above reached the connection: it is still unused, and the allowed origin drives it.
    const first = await request(url, { headers: { origin: app } });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('access-control-allow-origin'), app);
    assert.equal((await request(url, { method: 'DELETE', headers: { origin: app } })).status, 202);
  });
});
