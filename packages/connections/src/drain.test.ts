/** `connection.whenDrained`: the signal producers pace themselves on, on every transport. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { Connection } from './connection.js';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, request } from './test-support/http.js';
import { rawWebSocket } from './test-support/raw-socket.js';
import { startServer, type TestServer } from './test-support/server.js';
import { within } from './test-support/wait.js';

// Several times what the kernel's socket buffers take from a client that does not read, so it cannot drain.
const LARGE = 16 * 1024 * 1024;

async function withServer(run: (server: TestServer, recording: ReturnType<typeof recordingHandler>) => Promise<void>): Promise<void> {
  const recording = recordingHandler();
  const router = new ConnectionRouter();
  router.mapConnection('/app', recording.handler, { maxBufferedBytes: 2 * LARGE });
  const server = await startServer(router);
  try {
    await run(server, recording);
  } finally {
    await server.close();
  }
}

/** Tracks whether a promise has settled, without awaiting it. */
function settled(promise: Promise<void>): { readonly done: boolean } {
  const state = { done: false };
  void promise.then(() => {
    state.done = true;
  });
  return state;
}

/** Lets the server's flush turn and socket writes run. */
const turns = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('whenDrained', () => {
  test('resolves at once when the buffer is already at or below the threshold', async () => {
    await withServer(async (server, recording) => {
      const socket = await rawWebSocket(server.baseUrl, '/app');
      const connection = await recording.connections.next('connection');
      assert.equal(connection.bufferedAmount, 0);
      await within(connection.whenDrained(0), 'drained');
      socket.destroy();
      await recording.closes.next('close');
    });
  });

  test('WebSockets: waits while the client does not read, resolves once it does', async () => {
    await withServer(async (server, recording) => {
      const socket: Socket = await rawWebSocket(server.baseUrl, '/app');
      socket.pause();
      const connection: Connection = await recording.connections.next('connection');
      connection.send(Buffer.alloc(LARGE, 0x61));
      await turns();
      assert.ok(connection.bufferedAmount > 1024 * 1024, 'most of the payload is still buffered');
      const drained = connection.whenDrained(1024);
      const state = settled(drained);
      await turns();
      assert.equal(state.done, false, 'still waiting: the client reads nothing');
      socket.resume();
      await within(drained, 'drained after the client read');
      assert.ok(connection.bufferedAmount <= 1024);
      socket.destroy();
      await recording.closes.next('close');
    });
  });

  test('Server-Sent Events: resolves once the client reads the stream', async () => {
    await withServer(async (server, recording) => {
      const { connectionToken } = await negotiate(`${server.baseUrl}/app`);
      const response = await fetch(`${server.baseUrl}/app?id=${connectionToken}`, { headers: { accept: 'text/event-stream' } });
      const connection = await recording.connections.next('connection');
      connection.send(Buffer.alloc(LARGE, 0x61));
      await turns();
      const drained = connection.whenDrained(0);
      const state = settled(drained);
      await turns();
      assert.equal(state.done, false, 'still waiting: the body is not read');
      const reading = response.arrayBuffer().catch(() => new ArrayBuffer(0));
      await within(drained, 'drained after the client read');
      connection.close();
      await reading;
      await recording.closes.next('close');
    });
  });

  test('long polling: resolves when a poll takes the buffered bytes', async () => {
    await withServer(async (server, recording) => {
      const { connectionToken } = await negotiate(`${server.baseUrl}/app`);
      const url = `${server.baseUrl}/app?id=${connectionToken}`;
      await request(url);
      const connection = await recording.connections.next('connection');
      connection.send(Buffer.from('data'));
      const drained = connection.whenDrained(0);
      const state = settled(drained);
      await turns();
      assert.equal(state.done, false, 'no poll yet: the bytes wait');
      assert.equal((await request(url)).text, 'data');
      await within(drained, 'drained by the poll');
      assert.equal((await request(url, { method: 'DELETE' })).status, 202);
      await recording.closes.next('close');
    });
  });

  test('resolves when the connection ends instead of draining', async () => {
    await withServer(async (server, recording) => {
      const socket = await rawWebSocket(server.baseUrl, '/app');
      socket.pause();
      const connection = await recording.connections.next('connection');
      connection.send(Buffer.alloc(LARGE, 0x61));
      await turns();
      const drained = connection.whenDrained(0);
      socket.destroy();
      await within(drained, 'resolved by the end');
      await recording.closes.next('close');
      await within(connection.whenDrained(0), 'an ended connection never waits');
    });
  });
});
