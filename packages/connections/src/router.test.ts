/** Routing by path, falling through for foreign requests, attaching to servers, closing. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionEndpoint } from './endpoint.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { ConnectionRouter } from './router.js';
import { echoHandler } from './test-support/handlers.js';
import { closeOf, negotiate, openWebSocket, refusedUpgrade, request } from './test-support/http.js';
import { openOfficialClient } from './test-support/official-client.js';
import { startServer } from './test-support/server.js';
import { within } from './test-support/wait.js';

const isCode = (code: string) => (error: unknown): boolean => error instanceof ConnectionsError && error.code === code;

describe('ConnectionRouter', () => {
  test('matches paths case-insensitively, with or without a trailing slash', async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/Hubs/Chat', echoHandler());
    const server = await startServer(router);
    try {
      for (const path of ['/hubs/chat', '/HUBS/CHAT', '/Hubs/Chat']) {
        const { connectionToken } = await negotiate(`${server.baseUrl}${path}`);
        // Requests the server answers at once: the first poll, a send, and the DELETE that ends the
        // connection (a second poll would wait for data or for longPollTimeoutMs).
        assert.equal((await request(`${server.baseUrl}${path}?id=${connectionToken}`)).status, 200, path);
        assert.equal((await request(`${server.baseUrl}${path}/?id=${connectionToken}`, { method: 'POST', body: 'x' })).status, 200, `${path}/`);
        assert.equal((await request(`${server.baseUrl}${path}/?id=${connectionToken}`, { method: 'DELETE' })).status, 202, `${path}/`);
      }
      assert.equal((await request(`${server.baseUrl}/hubs/chat/negotiate/`, { method: 'POST' })).status, 200);
      // A base URL with a trailing slash: the client negotiates at {base}negotiate.
      const client = await openOfficialClient(`${server.baseUrl}/hubs/chat/`, 'WebSockets', 'Text');
      await client.connection.send('ping');
      assert.equal(await client.received.next('echo'), 'ping');
      await client.connection.stop();
    } finally {
      await server.close();
    }
  });

  test('handleRequest and handleUpgrade return false for foreign paths and touch nothing', () => {
    const router = new ConnectionRouter();
    router.mapConnection('/chat', echoHandler());
    const req = { url: '/chatroom?id=1', method: 'GET', headers: {} } as IncomingMessage;
    const res = { setHeader: () => assert.fail('touched the response') } as unknown as ServerResponse;
    assert.equal(router.handleRequest(req, res), false);
    const socket = { write: () => assert.fail('touched the socket'), on: () => assert.fail('touched the socket') };
    assert.equal(router.handleUpgrade(req, socket as never, Buffer.alloc(0)), false);
  });

  test('attach keeps existing listeners for foreign requests and upgrades; without them answers 404', async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/echo', echoHandler());
    const server = createServer((_req, res) => {
      res.end('app');
    });
    const foreignUpgrades: string[] = [];
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      foreignUpgrades.push(req.url ?? '');
      socket.destroy();
    });
    router.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await request(`${base}/elsewhere`)).text, 'app');
      assert.equal((await request(`${base}/echo`)).text, 'Connection ID required');
      const socket = await openWebSocket(`${base}/echo`);
      socket.close();
      await closeOf(socket);
      await assert.rejects(openWebSocket(`${base}/other-ws`));
      assert.deepEqual(foreignUpgrades, ['/other-ws']);
      // close() detaches: the app gets everything again.
      await router.close();
      assert.equal((await request(`${base}/echo`)).text, 'app');
    } finally {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a bare server answers 404 to foreign requests and refuses foreign upgrades', async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/echo', echoHandler());
    const server = await startServer(router);
    try {
      assert.equal((await request(`${server.baseUrl}/nothing`)).status, 404);
      assert.equal((await refusedUpgrade(`${server.baseUrl}/nothing`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test('after close() requests are no longer routed; close() is idempotent', async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/echo', echoHandler());
    await router.close();
    await within(router.close(), 'second close');
    const req = { url: '/echo', method: 'GET', headers: {} } as IncomingMessage;
    assert.equal(router.handleRequest(req, {} as ServerResponse), false);
  });

  test('mapping errors are typed', () => {
    const router = new ConnectionRouter();
    router.mapConnection('/chat', echoHandler());
    assert.throws(() => router.mapConnection('/CHAT/', echoHandler()), isCode(ConnectionsErrorCode.PathConflict));
    assert.throws(() => router.mapConnection('chat', echoHandler()), isCode(ConnectionsErrorCode.InvalidOption));
    assert.throws(() => router.mapConnection('/a?b', echoHandler()), isCode(ConnectionsErrorCode.InvalidOption));
    assert.throws(() => router.mapConnection('/t', echoHandler(), { transports: [] }), isCode(ConnectionsErrorCode.InvalidOption));
    assert.throws(() => router.mapConnection('/t', echoHandler(), { transports: ['Carrier pigeon' as never] }), isCode(ConnectionsErrorCode.InvalidOption));
    assert.throws(() => router.mapConnection('/t', echoHandler(), { longPollTimeoutMs: 0 }), isCode(ConnectionsErrorCode.InvalidOption));
    assert.throws(() => router.mapConnection('/t', echoHandler(), { minimumNegotiateVersion: 2 }), isCode(ConnectionsErrorCode.InvalidOption));
    assert.throws(() => router.mapConnection('/t', echoHandler(), { maxBufferedBytes: Number.NaN }), isCode(ConnectionsErrorCode.InvalidOption));
  });

  test('endpoints built separately can be added; options resolve to the documented defaults', () => {
    const router = new ConnectionRouter();
    const endpoint = router.addEndpoint(new ConnectionEndpoint('/raw/', echoHandler()));
    assert.equal(endpoint.path, '/raw');
    assert.deepEqual(router.endpoints, [endpoint]);
    assert.deepEqual(endpoint.options.transports, ['WebSockets', 'ServerSentEvents', 'LongPolling']);
    assert.equal(endpoint.options.longPollTimeoutMs, 90_000);
    assert.equal(endpoint.options.disconnectTimeoutMs, 15_000);
    assert.equal(endpoint.options.transportSendTimeoutMs, 10_000);
    assert.equal(endpoint.options.webSocketCloseTimeoutMs, 5_000);
    assert.equal(endpoint.options.minimumNegotiateVersion, 0);
    assert.equal(endpoint.options.allowStatefulReconnect, false);
    assert.equal(endpoint.options.maxBufferedBytes, 1_048_576);
    assert.equal(endpoint.options.maxRequestBodyBytes, 1_048_576);
    assert.equal(endpoint.connectionCount, 0);
  });
});
