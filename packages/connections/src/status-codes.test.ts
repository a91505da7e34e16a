/** Every status code and text of the transport dispatcher (wire reference §1.3), on real sockets. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionRouter } from './router.js';
import { echoHandler } from './test-support/handlers.js';
import { closeOf, negotiate, openWebSocket, refusedUpgrade, request } from './test-support/http.js';
import { startServer, type TestServer } from './test-support/server.js';

describe('dispatcher status codes', () => {
  let server: TestServer;
  let base: string;

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/echo', echoHandler());
    router.mapConnection('/lp-only', echoHandler(), { transports: ['LongPolling'] });
    router.mapConnection('/ws-only', echoHandler(), { transports: ['WebSockets'] });
    server = await startServer(router);
    base = `${server.baseUrl}/echo`;
  });
  after(() => server.close());

  const sse = { headers: { accept: 'text/event-stream' } };

  test('400 "Connection ID required" without id (SSE, long polling, POST, DELETE)', async () => {
    for (const init of [{}, sse, { method: 'POST', body: 'x' }, { method: 'DELETE' }]) {
      const response = await request(base, init);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('content-type'), 'text/plain');
      assert.equal(response.text, 'Connection ID required');
    }
  });

  test('404 "No Connection with that ID" for an unknown id, on every verb and on upgrades', async () => {
    for (const init of [{}, sse, { method: 'POST', body: 'x' }, { method: 'DELETE' }]) {
      const response = await request(`${base}?id=unknown`, init);
      assert.equal(response.status, 404);
      assert.equal(response.text, 'No Connection with that ID');
    }
    const upgrade = await refusedUpgrade(`${base}?id=unknown`);
    assert.equal(upgrade.status, 404);
    assert.equal(upgrade.body, 'No Connection with that ID');
  });

  test('404 "{Transport} transport not supported by this end point type"', async () => {
    const lpOnly = `${server.baseUrl}/lp-only`;
    const a = await negotiate(lpOnly);
    const sseResponse = await request(`${lpOnly}?id=${a.connectionToken}`, sse);
    assert.equal(sseResponse.status, 404);
    assert.equal(sseResponse.text, 'ServerSentEvents transport not supported by this end point type');
    const upgrade = await refusedUpgrade(`${lpOnly}?id=${a.connectionToken}`);
    assert.equal(upgrade.status, 404);
    assert.equal(upgrade.body, 'WebSockets transport not supported by this end point type');
    const skipNegotiation = await refusedUpgrade(lpOnly);
    assert.equal(skipNegotiation.body, 'WebSockets transport not supported by this end point type');
    const wsOnly = `${server.baseUrl}/ws-only`;
    const b = await negotiate(wsOnly);
    const poll = await request(`${wsOnly}?id=${b.connectionToken}`);
    assert.equal(poll.status, 404);
    assert.equal(poll.text, 'LongPolling transport not supported by this end point type');
  });

  test('400 "Cannot change transports mid-connection"', async () => {
    const { connectionToken } = await negotiate(base);
    assert.equal((await request(`${base}?id=${connectionToken}`)).status, 200); // first poll: long polling
    const toSse = await request(`${base}?id=${connectionToken}`, sse);
    assert.equal(toSse.status, 400);
    assert.equal(toSse.text, 'Cannot change transports mid-connection');
    const toWs = await refusedUpgrade(`${base}?id=${connectionToken}`);
    assert.equal(toWs.status, 400);
    assert.equal(toWs.body, 'Cannot change transports mid-connection');
    assert.equal((await request(`${base}?id=${connectionToken}`, { method: 'DELETE' })).status, 202);
  });

  test('409 for a second WebSocket on the same connection; 405 for POST on it', async () => {
    const { connectionToken } = await negotiate(base);
    const first = await openWebSocket(`${base}?id=${connectionToken}`);
    const second = await refusedUpgrade(`${base}?id=${connectionToken}`);
    assert.equal(second.status, 409);
    const post = await request(`${base}?id=${connectionToken}`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('content-type'), 'text/plain');
    assert.equal(post.text, 'POST requests are not allowed for WebSocket connections.');
    const del = await request(`${base}?id=${connectionToken}`, { method: 'DELETE' });
    assert.equal(del.status, 400);
    assert.equal(del.text, 'Cannot terminate this connection using the DELETE endpoint.');
    first.close();
    await closeOf(first);
  });

  test('409 for a second event stream; DELETE is refused for SSE', async () => {
    const { connectionToken } = await negotiate(base);
    const controller = new AbortController();
    const stream = await fetch(`${base}?id=${connectionToken}`, { ...sse, signal: controller.signal });
    assert.equal(stream.status, 200);
    const second = await request(`${base}?id=${connectionToken}`, sse);
    assert.equal(second.status, 409);
    assert.equal(second.text, '');
    const del = await request(`${base}?id=${connectionToken}`, { method: 'DELETE' });
    assert.equal(del.status, 400);
    assert.equal(del.text, 'Cannot terminate this connection using the DELETE endpoint.');
    controller.abort();
  });

  test('DELETE before any transport started is refused (not long polling yet)', async () => {
    const { connectionToken } = await negotiate(base);
    const del = await request(`${base}?id=${connectionToken}`, { method: 'DELETE' });
    assert.equal(del.status, 400);
  });

  test('DELETE on long polling answers 202 and the id is gone', async () => {
    const { connectionToken } = await negotiate(base);
    await request(`${base}?id=${connectionToken}`);
    const del = await request(`${base}?id=${connectionToken}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    assert.equal(del.headers.get('content-type'), 'text/plain');
    assert.equal((await request(`${base}?id=${connectionToken}`)).status, 404);
  });

  test('other verbs get 405 text/plain', async () => {
    for (const method of ['PUT', 'PATCH', 'OPTIONS', 'HEAD']) {
      const response = await request(`${base}?id=x`, { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('content-type'), 'text/plain');
    }
  });

  test('an upgrade to the negotiate path is refused with 405', async () => {
    assert.equal((await refusedUpgrade(`${base}/negotiate`)).status, 405);
  });
});
