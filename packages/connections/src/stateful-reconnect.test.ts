/** The transport half of stateful reconnect: a resumable connection survives a dropped WebSocket. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawData, WebSocket } from 'ws';
import type { Connection, ConnectionHandler } from './connection.js';
import type { ConnectionEndpointOptions } from './options.js';
import { ConnectionsErrorCode } from './errors.js';
import { ConnectionRouter } from './router.js';
import { closeOf, negotiate, openWebSocket, refusedUpgrade } from './test-support/http.js';
import { rawWebSocket } from './test-support/raw-socket.js';
import { startServer, type TestServer } from './test-support/server.js';
import { AsyncQueue, within } from './test-support/wait.js';

const codeOf = (error: Error | undefined): string | undefined => (error as { code?: string } | undefined)?.code;

/** A handler that makes every connection resumable (or not) and records what happens to it. */
function resumableHandler(resumable = true) {
  const events = new AsyncQueue<{ event: 'lost' | 'resumed' | 'closed'; error?: Error }>();
  const connections = new AsyncQueue<Connection>();
  const data = new AsyncQueue<string>();
  const handler: ConnectionHandler = (connection) => {
    connection.resumable = resumable;
    connections.push(connection);
    return {
      onData: (payload) => data.push(Buffer.from(payload).toString()),
      onClose: (error) => events.push({ event: 'closed', error }),
      onTransportLost: (error) => events.push({ event: 'lost', error }),
      onTransportResumed: () => events.push({ event: 'resumed' }),
    };
  };
  return { handler, events, connections, data };
}

async function withEndpoint(
  handler: ConnectionHandler,
  options: ConnectionEndpointOptions,
  run: (server: TestServer, url: () => Promise<string>) => Promise<void>,
): Promise<void> {
  const router = new ConnectionRouter();
  router.mapConnection('/app', handler, { allowStatefulReconnect: true, ...options });
  const server = await startServer(router);
  const url = async (): Promise<string> => {
    const { connectionToken } = await negotiate(`${server.baseUrl}/app`, 'negotiateVersion=1&useStatefulReconnect=true');
    return `${server.baseUrl}/app?id=${connectionToken}`;
  };
  try {
    await run(server, url);
  } finally {
    await server.close();
  }
}

function inbox(socket: WebSocket): AsyncQueue<string> {
  const queue = new AsyncQueue<string>();
  socket.on('message', (message: RawData) => queue.push((message as Buffer).toString()));
  return queue;
}

/** Drops a socket the way a network failure does: no close frame. */
async function drop(socket: WebSocket): Promise<void> {
  const closed = closeOf(socket);
  socket.terminate();
  await closed;
}

describe('stateful reconnect (transport)', () => {
  test('a dropped WebSocket keeps the connection; a new one with the same token resumes it', async () => {
    const recording = resumableHandler();
    await withEndpoint(recording.handler, {}, async (server, newUrl) => {
      const url = await newUrl();
      const first = await openWebSocket(url);
      const connection = await recording.connections.next('connection');
      assert.equal(connection.statefulReconnect, true);
      await drop(first);
      const lost = await recording.events.next('lost');
      assert.equal(lost.event, 'lost');
      assert.equal(codeOf(lost.error), ConnectionsErrorCode.TransportFailed);
      assert.equal(connection.signal.aborted, false);
      assert.equal(connection.send(Buffer.from('nowhere')), false, 'nothing can be sent while the transport is lost');

      const second = await openWebSocket(url);
      assert.equal((await recording.events.next('resumed')).event, 'resumed');
      const received = inbox(second);
      assert.equal(connection.send(Buffer.from('again')), true);
      assert.equal(await received.next('data on the new socket'), 'again');
      second.send('from the new socket');
      assert.equal(await recording.data.next('inbound'), 'from the new socket');
      assert.equal(recording.connections.length, 0, 'the handler ran once: it is the same connection');
      second.close();
      const closed = await recording.events.next('closed');
      assert.deepEqual(closed, { event: 'closed', error: undefined });
      assert.equal(server.seen.filter((line) => line.startsWith('POST /app/negotiate')).length, 1, 'no second negotiate');
    });
  });

  test('a drop with megabytes still unwritten only loses the transport', async () => {
    const recording = resumableHandler();
    await withEndpoint(recording.handler, { maxBufferedBytes: 64 * 1024 * 1024 }, async (_server, newUrl) => {
      const url = await newUrl();
      // A client that does not read: the server's writes pile up, and fail when the socket is reset.
      const first = await rawWebSocket(url, new URL(url).pathname + new URL(url).search);
      first.pause();
      const connection = await recording.connections.next('connection');
      for (let i = 0; i < 16; i++) connection.send(Buffer.alloc(1024 * 1024, 0x61));
      await new Promise((resolve) => setTimeout(resolve, 50));
      first.destroy(); // unread data: the kernel answers with a reset
      const lost = await recording.events.next('lost');
      assert.equal(lost.event, 'lost');
      assert.equal(codeOf(lost.error), ConnectionsErrorCode.TransportFailed);
      const second = await openWebSocket(url);
      assert.equal((await recording.events.next('resumed')).event, 'resumed');
      second.close();
      assert.equal((await recording.events.next('closed')).event, 'closed');
    });
  });

  test('a new WebSocket takes over one the server has not seen fail yet', async () => {
    const recording = resumableHandler();
    await withEndpoint(recording.handler, {}, async (_server, newUrl) => {
      const url = await newUrl();
      const first = await openWebSocket(url);
      const connection = await recording.connections.next('connection');
      const firstClosed = closeOf(first);
      const second = await openWebSocket(url);
      assert.equal((await recording.events.next('lost')).event, 'lost');
      assert.equal((await recording.events.next('resumed')).event, 'resumed');
      assert.equal((await firstClosed).code, 1006, 'the replaced socket is dropped');
      const received = inbox(second);
      connection.send(Buffer.from('to the new one'));
      assert.equal(await received.next('data'), 'to the new one');
      second.close();
      assert.equal((await recording.events.next('closed')).event, 'closed');
    });
  });

  test('a client that does not come back within disconnectTimeoutMs ends the connection once', async () => {
    const recording = resumableHandler();
    await withEndpoint(recording.handler, { disconnectTimeoutMs: 100 }, async (_server, newUrl) => {
      const url = await newUrl();
      await drop(await openWebSocket(url));
      assert.equal((await recording.events.next('lost')).event, 'lost');
      const closed = await recording.events.next('closed');
      assert.equal(closed.event, 'closed');
      assert.equal(codeOf(closed.error), ConnectionsErrorCode.DisconnectTimeout);
      assert.match(closed.error!.message, /did not reconnect within 100 ms/);
      assert.equal((await refusedUpgrade(url)).status, 404);
      assert.equal(recording.events.length, 0, 'onClose once, nothing after it');
    });
  });

  test('without resumable (the default) a drop ends the connection and a second WebSocket gets 409', async () => {
    const recording = resumableHandler(false);
    await withEndpoint(recording.handler, {}, async (_server, newUrl) => {
      const url = await newUrl();
      const first = await openWebSocket(url);
      await recording.connections.next('connection');
      assert.equal((await refusedUpgrade(url)).status, 409);
      await drop(first);
      const closed = await recording.events.next('closed');
      assert.equal(codeOf(closed.error), ConnectionsErrorCode.TransportFailed);
      assert.equal((await refusedUpgrade(url)).status, 404);
    });
  });

  test('without stateful reconnect negotiated, resumable has no effect', async () => {
    const recording = resumableHandler();
    await withEndpoint(recording.handler, {}, async (server) => {
      const { connectionToken } = await negotiate(`${server.baseUrl}/app`);
      const url = `${server.baseUrl}/app?id=${connectionToken}`;
      const first = await openWebSocket(url);
      const connection = await recording.connections.next('connection');
      assert.equal(connection.statefulReconnect, false);
      assert.equal((await refusedUpgrade(url)).status, 409);
      await drop(first);
      assert.equal((await recording.events.next('closed')).event, 'closed');
    });
  });

  test('a close handshake from the client ends a resumable connection normally', async () => {
    const recording = resumableHandler();
    await withEndpoint(recording.handler, {}, async (_server, newUrl) => {
      const socket = await openWebSocket(await newUrl());
      await recording.connections.next('connection');
      socket.close(1000);
      assert.deepEqual(await recording.events.next('closed'), { event: 'closed', error: undefined });
    });
  });

  test('while lost: close() ends at once, and turning resumable off ends with the drop error', async () => {
    const recording = resumableHandler();
    await withEndpoint(recording.handler, {}, async (_server, newUrl) => {
      await drop(await openWebSocket(await newUrl()));
      const closing = await recording.connections.next('connection');
      assert.equal((await recording.events.next('lost')).event, 'lost');
      closing.close();
      assert.deepEqual(await recording.events.next('closed'), { event: 'closed', error: undefined });

      await drop(await openWebSocket(await newUrl()));
      const disabled = await recording.connections.next('connection');
      assert.equal((await recording.events.next('lost')).event, 'lost');
      disabled.resumable = false;
      const closed = await recording.events.next('closed');
      assert.equal(codeOf(closed.error), ConnectionsErrorCode.TransportFailed);
      await within(disabled.whenDrained(0), 'an ended connection is drained');
    });
  });
});
