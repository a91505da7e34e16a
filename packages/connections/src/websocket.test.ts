/** The WebSocket transport (wire reference §1.4, §1.9) with raw and official clients. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawData, WebSocket } from 'ws';
import { ConnectionsErrorCode } from './errors.js';
import { ConnectionRouter } from './router.js';
import { echoHandler, recordingHandler } from './test-support/handlers.js';
import { closeOf, negotiate, openWebSocket } from './test-support/http.js';
import { openOfficialClient } from './test-support/official-client.js';
import { rawWebSocket } from './test-support/raw-socket.js';
import { startServer, type TestServer } from './test-support/server.js';
import { AsyncQueue, within } from './test-support/wait.js';

function messages(socket: WebSocket): AsyncQueue<{ data: Buffer; isBinary: boolean }> {
  const queue = new AsyncQueue<{ data: Buffer; isBinary: boolean }>();
  socket.on('message', (data: RawData, isBinary: boolean) => queue.push({ data: data as Buffer, isBinary }));
  return queue;
}

describe('WebSocket transport', () => {
  let server: TestServer;
  let base: string;
  const recording = recordingHandler();

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/ws', recording.handler, { maxRequestBodyBytes: 1024 });
    router.mapConnection('/echo', echoHandler());
    server = await startServer(router);
    base = `${server.baseUrl}/ws`;
  });
  after(() => server.close());

  test('skipNegotiation: the official client connects without negotiate and without an id', async () => {
    const client = await openOfficialClient(`${server.baseUrl}/echo`, 'WebSockets', 'Text', { skipNegotiation: true });
    assert.equal(client.connection.connectionId, undefined);
    await client.connection.send('direct');
    assert.equal(await client.received.next('echo'), 'direct');
    assert.ok(!server.seen.some((line) => line.includes('/echo/negotiate')), 'no negotiate request');
    await client.connection.stop();
    assert.equal(await within(client.closed, 'close'), undefined);
  });

  test('skipNegotiation with a raw client: the server creates a connection with a fresh public id', async () => {
    const socket = await openWebSocket(base);
    const connection = await recording.connections.next('connection');
    assert.match(connection.connectionId, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(connection.transport, 'WebSockets');
    socket.close();
    assert.equal((await recording.closes.next('close')).error, undefined);
  });

  test('frames follow transferFormat; payloads queued in one turn share one frame', async () => {
    const { connectionToken } = await negotiate(base);
    const socket = await openWebSocket(`${base}?id=${connectionToken}`);
    const inbox = messages(socket);
    const connection = await recording.connections.next('connection');
    connection.send(Buffer.from('a\u001e'));
    connection.send(Buffer.from('b\u001e'));
    connection.send(Buffer.from('c\u001e'));
    const text = await inbox.next('text frame');
    assert.equal(text.isBinary, false);
    assert.equal(text.data.toString(), 'a\u001eb\u001ec\u001e');
    connection.transferFormat = 'Binary';
    connection.send(Uint8Array.from([1, 2]));
    connection.send(Uint8Array.from([3]));
    const binary = await inbox.next('binary frame');
    assert.equal(binary.isBinary, true);
    assert.deepEqual([...binary.data], [1, 2, 3]);
    assert.equal(inbox.length, 0);
    socket.close();
    await recording.closes.next('close');
  });

  test('text and binary inbound messages both reach the application as bytes', async () => {
    const socket = await openWebSocket(base);
    const connection = await recording.connections.next('connection');
    socket.send('text');
    socket.send(Uint8Array.from([9, 8]));
    const first = await recording.data.next('data');
    assert.equal(first.connection, connection);
    assert.equal(Buffer.from(first.payload).toString(), 'text');
    assert.deepEqual([...(await recording.data.next('data')).payload], [9, 8]);
    socket.close();
    await recording.closes.next('close');
  });

  test('a server close sends close code 1000 after the queued data', async () => {
    const socket = await openWebSocket(base);
    const inbox = messages(socket);
    const connection = await recording.connections.next('connection');
    connection.send(Buffer.from('bye'));
    connection.close();
    const closing = closeOf(socket);
    assert.equal((await inbox.next('last message')).data.toString(), 'bye');
    assert.equal((await closing).code, 1000);
    assert.equal((await recording.closes.next('close')).error, undefined);
  });

  test('a client close without a status code is answered with 1000 (not an empty close frame)', async () => {
    const socket = await openWebSocket(base);
    await recording.connections.next('connection');
    const closing = closeOf(socket);
    socket.close(); // no code: an empty close frame, which the client reports as 1005 if echoed as is
    assert.equal((await closing).code, 1000);
    assert.equal((await recording.closes.next('close')).error, undefined);
  });

  test('a client that vanishes without a close frame ends the connection with ERR_CONNECTION_TRANSPORT_FAILED', async () => {
    const socket = await rawWebSocket(server.baseUrl, '/ws');
    await recording.connections.next('connection');
    socket.destroy();
    const closed = await recording.closes.next('close');
    assert.equal((closed.error as { code?: string } | undefined)?.code, ConnectionsErrorCode.TransportFailed);
  });

  test('garbage on one socket fails that connection only; another keeps echoing', async () => {
    const healthy = await openWebSocket(`${server.baseUrl}/echo`);
    const inbox = messages(healthy);
    const bad = await rawWebSocket(server.baseUrl, '/ws');
    await recording.connections.next('connection');
    // Not a valid frame: reserved bits set, unmasked, then random bytes; then the client just disappears.
    bad.write(Buffer.from([0xff, 0xff, 0x00, 0x13, 0x37, 0x42, 0x00, 0x01]));
    const closed = await recording.closes.next('close');
    assert.equal((closed.error as { code?: string } | undefined)?.code, ConnectionsErrorCode.TransportFailed);
    bad.destroy();
    healthy.send('still here');
    assert.equal((await inbox.next('echo')).data.toString(), 'still here');
    healthy.close();
    await closeOf(healthy);
  });

  test('an inbound message above maxRequestBodyBytes closes with 1009 and ERR_CONNECTION_MESSAGE_TOO_LARGE', async () => {
    const socket = await openWebSocket(base);
    await recording.connections.next('connection');
    const closing = closeOf(socket);
    socket.send(Buffer.alloc(2048, 0x61));
    assert.equal((await closing).code, 1009);
    const closed = await recording.closes.next('close');
    assert.equal((closed.error as { code?: string } | undefined)?.code, ConnectionsErrorCode.MessageTooLarge);
  });

  test('pause() holds inbound messages until resume(), in order', async () => {
    const socket = await openWebSocket(base);
    const connection = await recording.connections.next('connection');
    connection.pause();
    socket.send('1');
    socket.send('2');
    // Give the server time to read the socket if it (wrongly) still did; nothing may arrive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(recording.data.length, 0);
    connection.resume();
    assert.equal(Buffer.from((await recording.data.next('data')).payload).toString(), '1');
    assert.equal(Buffer.from((await recording.data.next('data')).payload).toString(), '2');
    socket.close();
    await recording.closes.next('close');
  });
});

describe('WebSocket send timeout', () => {
  test('a client that stops reading is dropped after transportSendTimeoutMs with ERR_CONNECTION_SEND_TIMEOUT', async () => {
    const recording = recordingHandler();
    const router = new ConnectionRouter();
    router.mapConnection('/ws', recording.handler, {
      transportSendTimeoutMs: 200, maxBufferedBytes: 256 * 1024 * 1024, webSocketCloseTimeoutMs: 200,
    });
    const server = await startServer(router);
    try {
      const socket = await rawWebSocket(server.baseUrl, '/ws');
      socket.pause(); // never read: the kernel buffers fill and the server's writes stall
      const connection = await recording.connections.next('connection');
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 32; i++) assert.equal(connection.send(chunk), true);
      const closed = await recording.closes.next('close', 15_000);
      assert.equal((closed.error as { code?: string } | undefined)?.code, ConnectionsErrorCode.SendTimeout);
      socket.destroy();
    } finally {
      await server.close();
    }
  });
});
