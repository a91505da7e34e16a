/** stop() racing start(), against scripted doubles so each phase can be held open. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCode, isClientError } from './errors.js';
import { HubConnection, HubConnectionState } from './hub-connection.js';
import { createFakeServer } from './test-support/fake-server.js';

function connection(server: ReturnType<typeof createFakeServer>): HubConnection {
  return new HubConnection({ url: 'http://server.test/hub', transport: 'WebSockets', fetch: server.fetch, WebSocket: server.WebSocket });
}

test('stop() while the WebSocket is connecting: start() rejects with ERR_CLIENT_ABORTED', async () => {
  const server = createFakeServer();
  const hub = connection(server);
  const closes: unknown[] = [];
  hub.onClose((error) => closes.push(error));
  const starting = hub.start();
  await server.socket(0); // never opened
  await hub.stop();
  await assert.rejects(starting, (error: unknown) => isClientError(error, ClientErrorCode.Aborted));
  assert.equal(hub.state, HubConnectionState.Disconnected);
  assert.deepEqual(closes, [], 'a connection that never started reports no close');
});

test('stop() while waiting for the handshake: start() rejects, and the connection can start again', async () => {
  const server = createFakeServer();
  const hub = connection(server);
  const starting = hub.start();
  const first = await server.socket(0);
  first.open();
  await first.sentCount(1); // the handshake request, unanswered
  await hub.stop();
  await assert.rejects(starting, (error: unknown) => isClientError(error, ClientErrorCode.Aborted));
  assert.equal(hub.state, HubConnectionState.Disconnected);

  const again = hub.start();
  const second = await server.socket(1);
  second.open();
  await second.sentCount(1);
  second.receive('{}\u001e');
  await again;
  assert.equal(hub.state, HubConnectionState.Connected);
  assert.equal(hub.connectionId, 'connection-2');
  await hub.stop();
});
