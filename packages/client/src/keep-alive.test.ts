/**
 * Keep-alive and server timeout against a scripted WebSocket server: the client pings while idle, and
 * gives up when the server falls silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { WebSocketServer } from './test-support/ws-server.js';
import { ClientErrorCode, isClientError } from './errors.js';
import { HubConnection } from './hub-connection.js';
import { nextCall } from './test-support/test-server.js';

test('pings while idle, and closes with ERR_CLIENT_SERVER_TIMEOUT once the server falls silent', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const clientPings = nextCall<[]>();
  let serverPinger: ReturnType<typeof setInterval> | undefined;
  wss.on('connection', (socket) => {
    let pings = 0;
    socket.on('message', (data: Buffer) => {
      for (const record of data.toString().split('\u001e').filter(Boolean)) {
        if (record.includes('"protocol"')) {
          socket.send('{}\u001e');
          // The server keeps the client's receive side busy; the client must still ping on its own schedule.
          serverPinger = setInterval(() => socket.send('{"type":6}\u001e'), 20);
        } else if (record === '{"type":6}' && ++pings === 3) {
          clearInterval(serverPinger);
          clientPings.callback();
        }
      }
    });
  });
  const { port } = wss.address() as AddressInfo;
  const connection = new HubConnection({
    url: `http://127.0.0.1:${port}/hub`,
    transport: 'WebSockets',
    skipNegotiation: true,
    WebSocket,
    keepAliveIntervalMs: 60,
    serverTimeoutMs: 300,
  });
  const closed = nextCall<[Error | undefined]>();
  connection.onClose(closed.callback);
  try {
    await connection.start();
    await clientPings.next; // the one after the handshake plus two keep-alives: the server is now silent
    const [error] = await closed.next;
    assert.ok(isClientError(error, ClientErrorCode.ServerTimeout));
    assert.equal(error.message, 'Server timeout elapsed without receiving a message from the server.');
  } finally {
    clearInterval(serverPinger);
    await connection.stop();
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});

test('a handshake error fails start() with the server text', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (socket) => {
    socket.once('message', () => socket.send('{"error":"The protocol \'json\' is not supported."}\u001e'));
  });
  const { port } = wss.address() as AddressInfo;
  const connection = new HubConnection({ url: `http://127.0.0.1:${port}/hub`, transport: 'WebSockets', skipNegotiation: true, WebSocket });
  try {
    await assert.rejects(connection.start(), (error: unknown) => {
      assert.ok(isClientError(error, ClientErrorCode.HandshakeFailed));
      assert.equal(error.message, "Server returned handshake error: The protocol 'json' is not supported.");
      return true;
    });
    assert.equal(connection.state, 'Disconnected');
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
});
