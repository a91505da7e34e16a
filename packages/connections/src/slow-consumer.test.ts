/**
 * The slow-consumer policy at the connections layer, per transport: a reader that stops reading (a
 * paused WebSocket or event-stream socket) or stops polling fills its connection's outbound buffer, which
 * never exceeds `maxBufferedBytes` (plus the listener's last payload); the connection then ends with
 * ERR_CONNECTION_BUFFER_FULL, delivering the last payload where the transport still can, else dropping
 * the socket. Memory is observed through the connection's own accounting (`bufferedAmount`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type WebSocket from 'ws';
import type { Connection, ConnectionListener } from './connection.js';
import { ConnectionsErrorCode, type ConnectionsError } from './errors.js';
import { ConnectionRouter } from './router.js';
import { negotiate, openWebSocket } from './test-support/http.js';
import { rawWebSocket } from './test-support/raw-socket.js';
import { startServer } from './test-support/server.js';
import { waitFor } from './test-support/wait.js';
import type { ConnectionEndpointOptions } from './options.js';

const BOUND = 128 * 1024;
const FAREWELL = Buffer.from('bye\n');

/** A feed endpoint: every connection is kept; a full buffer makes the listener say FAREWELL. */
function feed(options: ConnectionEndpointOptions = {}): {
  router: ConnectionRouter;
  connections: Connection[];
  ended: Map<Connection, ConnectionsError | undefined>;
  full: Connection[];
} {
  const connections: Connection[] = [];
  const ended = new Map<Connection, ConnectionsError | undefined>();
  const full: Connection[] = [];
  const router = new ConnectionRouter();
  router.mapConnection('/feed', (connection): ConnectionListener => {
    connections.push(connection);
    return {
      onData: () => {},
      onClose: (error) => ended.set(connection, error as ConnectionsError | undefined),
      onBufferFull: () => {
        full.push(connection);
        return FAREWELL;
      },
    };
  }, { maxBufferedBytes: BOUND, ...options });
  return { router, connections, ended, full };
}

/** Lets the event loop flush and read. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Sends `payload` to `target` until it refuses, recording the largest `bufferedAmount` seen. */
async function sendUntilRefused(target: Connection, payload: Buffer): Promise<{ sent: number; peak: number }> {
  let sent = 0;
  let peak = 0;
  for (;;) {
    if (!target.send(payload)) return { sent, peak };
    sent++;
    peak = Math.max(peak, target.bufferedAmount);
    if (sent % 8 === 0) await turn();
    if (sent > 100_000) throw new Error('the slow consumer never filled its buffer');
  }
}

test('WebSockets: a paused reader is bounded, refused, and dropped; fast readers get every payload in order', async (t) => {
  const { router, connections, ended, full } = feed({ webSocketCloseTimeoutMs: 500 });
  const server = await startServer(router);
  const fastSockets: WebSocket[] = [];
  let slow: Socket | undefined;
  try {
    const received = [0, 0];
    const outOfOrder = [0, 0];
    for (const i of [0, 1]) {
      const ws = await openWebSocket(`${server.baseUrl.replace('http', 'ws')}/feed`);
      ws.on('message', (data: Buffer) => {
        // One frame may carry several payloads: each is 8 kB of text, starting with its 8-digit number.
        for (let offset = 0; offset < data.length; offset += 8192) {
          if (Number(data.toString('latin1', offset, offset + 8)) !== received[i]) outOfOrder[i]!++;
          received[i]!++;
        }
      });
      fastSockets.push(ws);
    }
    slow = await rawWebSocket(server.baseUrl, '/feed');
    slow.pause();
    await waitFor(() => connections.length === 3, 'three connections');
    const [fastA, fastB, slowConnection] = connections as [Connection, Connection, Connection];

    let next = 0;
    const payload = (): Buffer => {
      const bytes = Buffer.alloc(8192, 0x78);
      bytes.write(String(next++).padStart(8, '0'), 'latin1');
      return bytes;
    };
    // Never more than 16 payloads (128 kB) ahead of the fast readers: they are not slow consumers.
    const keepUp = async (): Promise<void> => {
      await turn();
      while (received.some((n) => next - n > 12)) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    // Fresh payloads each time, so the fast readers can check the order.
    let peak = 0;
    for (;;) {
      const bytes = payload();
      assert.ok(fastA.send(bytes) && fastB.send(bytes));
      if (!slowConnection.send(bytes)) break;
      peak = Math.max(peak, slowConnection.bufferedAmount);
      if (next % 4 === 0) await keepUp();
      if (next > 100_000) throw new Error('the slow consumer never filled its buffer');
    }
    t.diagnostic(`the paused reader was refused after ${next} payloads of 8 kB; peak server-side buffer ${peak} bytes`);
    assert.ok(peak <= BOUND, `peak ${peak} ≤ ${BOUND}`);
    assert.ok(slowConnection.bufferedAmount <= BOUND + FAREWELL.length);
    assert.deepEqual(full, [slowConnection]);
    assert.equal(slowConnection.send(FAREWELL), false, 'no more sends once full');
    // Never read again: the close handshake cannot complete, the socket is dropped.
    await waitFor(() => ended.has(slowConnection), 'the slow connection to end');
    assert.equal(ended.get(slowConnection)?.code, ConnectionsErrorCode.BufferFull);
    // The fast readers were never in danger and got everything sent to them.
    for (let i = 0; i < 20; i++) {
      const bytes = payload();
      assert.ok(fastA.send(bytes) && fastB.send(bytes));
      if (next % 4 === 0) await keepUp();
    }
    await waitFor(() => received.every((n) => n === next), 'every payload at the fast readers');
    assert.deepEqual(outOfOrder, [0, 0]);
    assert.equal(ended.has(fastA) || ended.has(fastB), false);
  } finally {
    slow?.destroy();
    for (const ws of fastSockets) ws.terminate();
    await server.close();
  }
});

test('Server-Sent Events: a reader that stops reading is bounded; when it reads again it gets the last payload, then the end', async () => {
  const { router, connections, ended, full } = feed({ transportSendTimeoutMs: 30_000 });
  const server = await startServer(router);
  let reader: Socket | undefined;
  try {
    const { connectionToken } = await negotiate(`${server.baseUrl}/feed`);
    const { port } = new URL(server.baseUrl);
    reader = connect(Number(port), '127.0.0.1');
    reader.on('error', () => {});
    const chunks: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => chunks.push(chunk));
    reader.write(`GET /feed?id=${connectionToken!} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    // Never read until told to: the kernel's buffers stay small, as for a client that never reads.
    reader.pause();
    await waitFor(() => connections.length === 1, 'the event stream');
    const connection = connections[0]!;
    const { peak } = await sendUntilRefused(connection, Buffer.alloc(8192, 0x78));
    // SSE framing adds a few bytes per event on top of the payloads.
    assert.ok(peak <= BOUND, `peak ${peak} ≤ ${BOUND}`);
    assert.deepEqual(full, [connection]);
    reader.resume();
    // The response ends (the chunked terminator); the keep-alive socket itself may stay open.
    const text = (): string => Buffer.concat(chunks).toString('latin1');
    await waitFor(() => text().endsWith('\r\n0\r\n\r\n'), 'the event stream to end');
    const stream = text();
    assert.ok(stream.endsWith('data: bye\r\ndata: \r\n\r\n\r\n0\r\n\r\n'), `ends with the last event and the chunked end: ${JSON.stringify(stream.slice(-60))}`);
    await waitFor(() => ended.has(connection), 'the connection to end');
    assert.equal(ended.get(connection)?.code, ConnectionsErrorCode.BufferFull);
  } finally {
    reader?.destroy();
    await server.close();
  }
});

test('long polling: a client that stops polling is bounded; its next poll gets the last payload, the one after 204', async () => {
  const { router, connections, ended, full } = feed();
  const server = await startServer(router);
  try {
    const { connectionToken } = await negotiate(`${server.baseUrl}/feed`);
    const url = `${server.baseUrl}/feed?id=${connectionToken!}`;
    assert.equal((await fetch(url)).status, 200); // the first poll starts the connection
    await waitFor(() => connections.length === 1, 'the connection');
    const connection = connections[0]!;
    const { sent, peak } = await sendUntilRefused(connection, Buffer.alloc(8192, 0x78));
    assert.equal(sent, BOUND / 8192, 'exactly the bound was queued');
    assert.ok(peak <= BOUND);
    assert.deepEqual(full, [connection]);
    assert.equal(connection.bufferedAmount, FAREWELL.length, 'the backlog was dropped, the last payload kept');
    const poll = await fetch(url);
    assert.equal(poll.status, 200);
    assert.equal(await poll.text(), 'bye\n');
    assert.equal((await fetch(url)).status, 204);
    await waitFor(() => ended.has(connection), 'the connection to end');
    assert.equal(ended.get(connection)?.code, ConnectionsErrorCode.BufferFull);
  } finally {
    await server.close();
  }
});
