/** Reaping, outbound limits and handler failures: how connections end without a client's help. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionHandler } from './connection.js';
import { heartbeatPeriodFor } from './connection-manager.js';
import { ConnectionsErrorCode } from './errors.js';
import { resolveEndpointOptions } from './options.js';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, openWebSocket, closeOf, request } from './test-support/http.js';
import { startServer } from './test-support/server.js';
import { waitFor } from './test-support/wait.js';

const codeOf = (error: Error | undefined): string | undefined => (error as { code?: string } | undefined)?.code;

describe('connection lifetime', () => {
  test('the reaping heartbeat ticks every second, or at a quarter of a shorter timeout', () => {
    assert.equal(heartbeatPeriodFor(resolveEndpointOptions()), 1000);
    assert.equal(heartbeatPeriodFor(resolveEndpointOptions({ disconnectTimeoutMs: 100 })), 25);
    assert.equal(heartbeatPeriodFor(resolveEndpointOptions({ transportSendTimeoutMs: 2000 })), 500);
    assert.equal(heartbeatPeriodFor(resolveEndpointOptions({ disconnectTimeoutMs: 1 })), 10);
  });

  test('a negotiated connection that is never used is reaped after disconnectTimeoutMs', async () => {
    const router = new ConnectionRouter();
    const endpoint = router.mapConnection('/lp', recordingHandler().handler, { disconnectTimeoutMs: 100 });
    const server = await startServer(router);
    try {
      const { connectionToken } = await negotiate(`${server.baseUrl}/lp`);
      assert.equal(endpoint.connectionCount, 1);
      await waitFor(() => endpoint.connectionCount === 0, 'reaping');
      assert.equal((await request(`${server.baseUrl}/lp?id=${connectionToken}`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test('a long-polling client that stops polling is disposed with ERR_CONNECTION_DISCONNECT_TIMEOUT', async () => {
    const recording = recordingHandler();
    const router = new ConnectionRouter();
    router.mapConnection('/lp', recording.handler, { disconnectTimeoutMs: 100 });
    const server = await startServer(router);
    try {
      const { connectionToken } = await negotiate(`${server.baseUrl}/lp`);
      await request(`${server.baseUrl}/lp?id=${connectionToken}`);
      await recording.connections.next('connection');
      const closed = await recording.closes.next('close');
      assert.equal(codeOf(closed.error), ConnectionsErrorCode.DisconnectTimeout);
      assert.equal(closed.connection.signal.aborted, true);
    } finally {
      await server.close();
    }
  });

  test('an open WebSocket is never reaped, however long it stays idle', async () => {
    const recording = recordingHandler();
    const router = new ConnectionRouter();
    const endpoint = router.mapConnection('/ws', recording.handler, { disconnectTimeoutMs: 50 });
    const server = await startServer(router);
    try {
      const socket = await openWebSocket(`${server.baseUrl}/ws`);
      await recording.connections.next('connection');
      // Many heartbeats pass (they tick every quarter of disconnectTimeoutMs here).
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(endpoint.connectionCount, 1);
      socket.close();
      await closeOf(socket);
    } finally {
      await server.close();
    }
  });

  test('send() beyond maxBufferedBytes returns false and closes with ERR_CONNECTION_BUFFER_FULL', async () => {
    const recording = recordingHandler();
    const router = new ConnectionRouter();
    router.mapConnection('/lp', recording.handler, { maxBufferedBytes: 1000 });
    const server = await startServer(router);
    try {
      const { connectionToken } = await negotiate(`${server.baseUrl}/lp`);
      const url = `${server.baseUrl}/lp?id=${connectionToken}`;
      await request(url);
      const connection = await recording.connections.next('connection');
      // Long polling keeps everything until the next poll, which this client does not send.
      assert.equal(connection.send(Buffer.alloc(600)), true);
      assert.equal(connection.bufferedAmount, 600);
      assert.equal(connection.send(Buffer.alloc(400)), true);
      assert.equal(connection.send(Buffer.alloc(1)), false);
      const closed = await recording.closes.next('close');
      assert.equal(codeOf(closed.error), ConnectionsErrorCode.BufferFull);
      assert.equal(connection.bufferedAmount, 0);
      assert.equal((await request(url)).status, 404);
    } finally {
      await server.close();
    }
  });

  test('a handler that throws fails the connection (WebSocket closes with 1011), not the server', async () => {
    const router = new ConnectionRouter();
    const failing: ConnectionHandler = () => {
      throw new Error('handler bug');
    };
    router.mapConnection('/bad', failing);
    const server = await startServer(router);
    try {
      const socket = await openWebSocket(`${server.baseUrl}/bad`);
      assert.equal((await closeOf(socket)).code, 1011);
      const { connectionToken } = await negotiate(`${server.baseUrl}/bad`);
      assert.equal((await request(`${server.baseUrl}/bad?id=${connectionToken}`)).status, 500);
    } finally {
      await server.close();
    }
  });

  test('a listener that throws in onData closes its connection with ERR_CONNECTION_HANDLER_FAILED', async () => {
    const closes: (Error | undefined)[] = [];
    const router = new ConnectionRouter();
    router.mapConnection('/bad', () => ({
      onData: () => {
        throw new Error('listener bug');
      },
      onClose: (error) => closes.push(error),
    }));
    const server = await startServer(router);
    try {
      const socket = await openWebSocket(`${server.baseUrl}/bad`);
      socket.send('boom');
      assert.equal((await closeOf(socket)).code, 1011);
      await waitFor(() => closes.length === 1, 'onClose');
      assert.equal(codeOf(closes[0]), ConnectionsErrorCode.HandlerFailed);
    } finally {
      await server.close();
    }
  });
});
