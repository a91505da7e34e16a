/**
 * WebSocket data frames as the server builds them (transports/frame.ts): every length encoding, text and
 * binary, one payload broadcast to several sockets in one turn, and `coalesceOutbound`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawData, WebSocket } from 'ws';
import type { Connection } from './connection.js';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, openWebSocket } from './test-support/http.js';
import { startServer, type TestServer } from './test-support/server.js';
import { AsyncQueue } from './test-support/wait.js';

function messages(socket: WebSocket): AsyncQueue<{ data: Buffer; isBinary: boolean }> {
  const queue = new AsyncQueue<{ data: Buffer; isBinary: boolean }>();
  socket.on('message', (data: RawData, isBinary: boolean) => queue.push({ data: data as Buffer, isBinary }));
  return queue;
}

/** `length` printable ASCII bytes (valid in text frames) that vary, so a shifted or truncated copy shows. */
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = 32 + ((i * 31 + seed) % 95);
  return bytes;
}

describe('WebSocket framing', () => {
  let server: TestServer;
  const recording = recordingHandler();
  const uncoalesced = recordingHandler();
  const sockets: WebSocket[] = [];

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/ws', recording.handler);
    router.mapConnection('/each', uncoalesced.handler, { coalesceOutbound: false });
    server = await startServer(router);
  });
  after(async () => {
    for (const socket of sockets) socket.terminate();
    await server.close();
  });

  async function open(path: string, handler = recording): Promise<{ inbox: AsyncQueue<{ data: Buffer; isBinary: boolean }>; connection: Connection }> {
    const { connectionToken } = await negotiate(`${server.baseUrl}${path}`);
    const socket = await openWebSocket(`${server.baseUrl}${path}?id=${connectionToken}`);
    sockets.push(socket);
    const inbox = messages(socket);
    return { inbox, connection: await handler.connections.next('connection') };
  }

  test('every length encoding (7-bit, 16-bit, 64-bit) arrives byte for byte, as text and as binary', async () => {
    const { inbox, connection } = await open('/ws');
    for (const format of ['Text', 'Binary'] as const) {
      connection.transferFormat = format;
      for (const length of [1, 125, 126, 127, 65_535, 65_536, 300_000]) {
        const payload = pattern(length, length);
        assert.equal(connection.send(payload), true);
        const { data, isBinary } = await inbox.next(`${format} ${length}`);
        assert.equal(isBinary, format === 'Binary');
        assert.equal(data.length, length);
        assert.ok(data.equals(payload), `${format} payload of ${length} bytes intact`);
      }
    }
  });

  test('one payload sent to several connections in one turn reaches each intact, and the next one too', async () => {
    const peers = [await open('/ws'), await open('/ws'), await open('/ws')];
    peers[2]!.connection.transferFormat = 'Binary';
    const first = pattern(1000, 1);
    const second = pattern(1000, 2);
    for (const { connection } of peers) connection.send(first);
    for (const { inbox } of peers) assert.ok((await inbox.next('first')).data.equals(first));
    for (const { connection } of peers) connection.send(second);
    const seconds = await Promise.all(peers.map(({ inbox }) => inbox.next('second')));
    for (const { data } of seconds) assert.ok(data.equals(second));
    assert.deepEqual(seconds.map(({ isBinary }) => isBinary), [false, false, true], 'the frame type follows each connection');
  });

  test('a payload the application refills and sends again in a later turn goes out with its new bytes', async () => {
    const peers = [await open('/ws'), await open('/ws')];
    const reused = Buffer.from('first\u001e');
    for (const { connection } of peers) connection.send(reused);
    for (const { inbox } of peers) assert.equal((await inbox.next('first')).data.toString(), 'first\u001e');
    reused.write('again');
    for (const { connection } of peers) connection.send(reused);
    for (const { inbox } of peers) assert.equal((await inbox.next('again')).data.toString(), 'again\u001e');
  });

  test('coalesceOutbound: false writes each payload as its own frame, in order', async () => {
    const { inbox, connection } = await open('/each', uncoalesced);
    connection.send(Buffer.from('a\u001e'));
    connection.send(Buffer.from('b\u001e'));
    connection.send(Buffer.from('c\u001e'));
    const frames = [await inbox.next('a'), await inbox.next('b'), await inbox.next('c')];
    assert.deepEqual(frames.map(({ data }) => data.toString()), ['a\u001e', 'b\u001e', 'c\u001e']);
    // Written at once, outside a flush turn: a refilled payload is framed afresh there too.
    const reused = Buffer.from('d\u001e');
    connection.send(reused);
    assert.equal((await inbox.next('d')).data.toString(), 'd\u001e');
    reused.write('e');
    connection.send(reused);
    assert.equal((await inbox.next('e')).data.toString(), 'e\u001e');
  });
});
