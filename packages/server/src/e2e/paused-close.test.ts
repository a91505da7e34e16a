/**
 * A hub connection stops reading while it cannot take more input (onConnected running, invocations
 * waiting for a slot, full upload buffers). When the server ends such a connection, its WebSocket
 * must still finish the close handshake at once, not when the close timeout kills it. The close
 * timeout here is far longer than any wait in these tests, so a stalled close fails them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Hub } from '../hub.js';
import { officialClient, startApp } from '../test-support/e2e.js';
import { RawHubClient } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';

const LONG_CLOSE_TIMEOUT_MS = 30_000;

class BusyHub extends Hub {
  /** Holds the connection's only invocation slot until the connection ends. */
  async busy(): Promise<void> {
    await delay(LONG_CLOSE_TIMEOUT_MS, undefined, { signal: this.signal }).catch(() => {});
  }
  /** Holds the slot a little, then ends its own connection while the next invocation waits. */
  async busyThenAbort(): Promise<void> {
    await delay(100);
    this.context.abort();
  }
  echo(value: unknown): unknown {
    return value;
  }
}

test('app.close() with a WebSocket whose reading is paused completes the close handshake', async () => {
  const server = await startApp((app) => app.mapHub('/hub', BusyHub, { webSocketCloseTimeoutMs: LONG_CLOSE_TIMEOUT_MS }));
  const connection = officialClient(`${server.baseUrl}/hub`, 'WebSockets', 'json');
  const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
  await connection.start();
  // The second invocation waits for the slot: the server stops reading this WebSocket. Both fail
  // when the connection closes.
  const invocations = Promise.allSettled([connection.invoke('busy'), connection.invoke('echo', 'waiting')]);
  await delay(100);
  await withTimeout(server.close(), 'app.close() and the HTTP server closing');
  assert.equal(await withTimeout(closed, 'client close'), undefined);
  assert.deepEqual((await invocations).map((outcome) => outcome.status), ['rejected', 'rejected']);
});

test('context.abort() on a connection whose reading is paused: the WebSocket closes with 1000 at once', async () => {
  const server = await startApp((app) => app.mapHub('/hub', BusyHub, { webSocketCloseTimeoutMs: LONG_CLOSE_TIMEOUT_MS }));
  try {
    const client = await RawHubClient.open(`${server.baseUrl}/hub`, 'WebSockets', 'json');
    await client.handshake();
    await client.send({ type: 1, invocationId: '1', target: 'busyThenAbort', arguments: [] }, { type: 1, invocationId: '2', target: 'echo', arguments: ['waits'] });
    assert.deepEqual(await withTimeout(client.connection.ended, 'the WebSocket closing'), { transport: 'WebSockets', code: 1000 });
    assert.deepEqual(client.output.messages, [{ type: 7 }]);
  } finally {
    await server.close();
  }
});
