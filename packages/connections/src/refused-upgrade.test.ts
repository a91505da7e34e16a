/**
 * A refused WebSocket upgrade must free its socket: the client may have sent frames right behind its
 * request and then half-closed (as the fuzz test's raw clients do), or may never close at all. Found by
 * packages/server/src/e2e/fuzz-websocket.test.ts: such sockets stayed open forever, so `server.close()`
 * never returned and a hostile client could hold file descriptors without limit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { ConnectionRouter } from './router.js';
import { startServer, type TestServer } from './test-support/server.js';
import { waitFor } from './test-support/wait.js';

const upgrade = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

function openSockets(server: TestServer): Promise<number> {
  return new Promise((resolve, reject) => server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/**
 * Writes `bytes`, then `later` (a separate segment, after the server answered), then half-closes (or
 * not); `reply` is what came back once the server ended its side.
 */
function exchange(port: number, bytes: string, later: string, halfClose: boolean, allowHalfOpen = false): { socket: Socket; reply: Promise<string> } {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => {});
  const reply = new Promise<string>((resolve) => socket.once('end', () => resolve(text)));
  socket.once('connect', () => {
    socket.write(bytes);
    socket.once('data', () => {
      if (later !== '') socket.write(later);
      if (halfClose) socket.end();
    });
  });
  return { socket, reply };
}

let server: TestServer;
let port: number;
before(async () => {
  const router = new ConnectionRouter();
  router.mapConnection('/echo', () => ({ onData() {}, onClose() {} }));
  server = await startServer(router);
  port = Number(new URL(server.baseUrl).port);
});
after(() => server.close());

test('a refused upgrade followed by frames and a half-close: the answer arrives, then the socket is freed', async () => {
  const frame = '\x81\x85\x00\x00\x00\x00hello'; // a masked text frame the server must not wait on
  const refusals = ['/echo?id=unknown', '/echo/negotiate', '/elsewhere'].map((target) => exchange(port, upgrade(target), frame, true));
  try {
    const replies = await Promise.all(refusals.map(({ reply }) => reply));
    assert.deepEqual(replies.map((reply) => reply.slice(0, 12)), ['HTTP/1.1 404', 'HTTP/1.1 405', 'HTTP/1.1 404']);
    await waitFor(async () => (await openSockets(server)) === 0, 'every refused socket closed');
  } finally {
    for (const { socket } of refusals) socket.destroy();
  }
});

test('a refused upgrade whose client never closes is dropped by the server', async () => {
  // allowHalfOpen: the server's FIN does not make this client end its side either.
  const { socket, reply } = exchange(port, upgrade('/echo?id=unknown'), '', false, true);
  try {
    assert.match(await reply, /^HTTP\/1\.1 404/);
    await waitFor(async () => (await openSockets(server)) === 0, 'the socket closed');
  } finally {
    socket.destroy();
  }
});
