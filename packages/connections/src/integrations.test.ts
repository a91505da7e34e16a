/**
 * The README's framework examples, run for real: the router shares a server with Express 5 and with
 * Fastify 5, and the official client echoes through both while the apps keep their own routes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { ConnectionRouter } from './router.js';
import { request } from './test-support/http.js';
import { openOfficialClient } from './test-support/official-client.js';
import { within } from './test-support/wait.js';

/** The raw echo endpoint of the README. */
function echoRouter(): ConnectionRouter {
  const router = new ConnectionRouter();
  router.mapConnection('/echo', (connection) => ({
    onData: (payload) => connection.send(payload),
    onClose: () => {},
  }));
  return router;
}

async function assertEchoes(baseUrl: string): Promise<void> {
  for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
    const client = await openOfficialClient(`${baseUrl}/echo`, transport, 'Text');
    await client.connection.send(`via ${transport}`);
    assert.equal(await client.received.next('echo'), `via ${transport}`);
    await client.connection.stop();
    assert.equal(await within(client.closed, 'close'), undefined);
  }
}

describe('framework integration', () => {
  test('Express 5: attach to the server built from the app', async () => {
    const app = express();
    app.use(express.json());
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    const router = echoRouter();
    const server = createServer(app);
    router.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await request(`${baseUrl}/health`)).text, 'ok');
      await assertEchoes(baseUrl);
    } finally {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('Express 5: as middleware in front of the app', async () => {
    const router = echoRouter();
    const app = express();
    // First, before any body parser: the router reads POST bodies itself.
    app.use((req, res, next) => {
      if (!router.handleRequest(req, res)) next();
    });
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    const server = createServer(app);
    server.on('upgrade', (req, socket, head) => {
      if (!router.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal((await request(`${baseUrl}/health`)).text, 'ok');
      await assertEchoes(baseUrl);
    } finally {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('Fastify 5: attach to fastify.server', async () => {
    const fastify = Fastify();
    fastify.get('/health', () => 'ok');
    const router = echoRouter();
    router.attach(fastify.server);
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
    try {
      assert.equal((await request(`${baseUrl}/health`)).text, 'ok');
      await assertEchoes(baseUrl);
    } finally {
      await router.close();
      fastify.server.closeAllConnections();
      await fastify.close();
    }
  });
});
