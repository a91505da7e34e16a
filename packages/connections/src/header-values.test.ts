/** Shared header values: a connection's request headers read exactly as the client sent them (less the WebSocket handshake key). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WebSocket } from 'ws';
import { MAX_VALUES, shareHeaderValues } from './header-values.js';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, openWebSocket } from './test-support/http.js';
import { startServer, type TestServer } from './test-support/server.js';

let server: TestServer;
const recording = recordingHandler();
const sockets: WebSocket[] = [];

before(async () => {
  const router = new ConnectionRouter();
  router.mapConnection('/ws', recording.handler);
  server = await startServer(router);
});
after(async () => {
  for (const socket of sockets) socket.terminate();
  await server.close();
});

test('every connection sees the headers its client sent, shared values and its own alike', async () => {
  const seen = [];
  for (const agent of ['agent/1', 'agent/1', 'agent/2']) {
    const { connectionToken } = await negotiate(`${server.baseUrl}/ws`);
    const socket = await openWebSocket(`${server.baseUrl}/ws?id=${connectionToken}`, { headers: { 'User-Agent': agent, 'X-Mine': `${agent}:${sockets.length}` } });
    sockets.push(socket);
    seen.push((await recording.connections.next('connection')).request.headers);
  }
  assert.deepEqual(seen.map((headers) => headers['user-agent']), ['agent/1', 'agent/1', 'agent/2']);
  assert.deepEqual(seen.map((headers) => headers['x-mine']), ['agent/1:0', 'agent/1:1', 'agent/2:2']);
  for (const headers of seen) {
    assert.equal(headers.upgrade, 'websocket');
    assert.equal(headers['sec-websocket-version'], '13');
    assert.equal(headers.host, new URL(server.baseUrl).host);
    // The handshake nonce served the upgrade only; a connection does not keep it.
    assert.equal(headers['sec-websocket-key'], undefined);
  }
});

test('only equal strings are swapped: lists, unlisted headers and values past the table bound stay as they are', () => {
  const cookies = ['a=1', 'b=2'];
  const headers = { host: 'example.test', 'set-cookie': cookies, authorization: 'Bearer x', 'user-agent': 'u' };
  shareHeaderValues(headers);
  assert.deepEqual(headers, { host: 'example.test', 'set-cookie': ['a=1', 'b=2'], authorization: 'Bearer x', 'user-agent': 'u' });
  assert.equal(headers['set-cookie'], cookies);
  for (let i = 0; i < MAX_VALUES + 10; i++) {
    const many = { origin: `https://site-${i}.test` };
    shareHeaderValues(many);
    assert.equal(many.origin, `https://site-${i}.test`);
  }
});
