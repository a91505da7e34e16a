/**
 * Transport selection against the real server behind a proxy that refuses chosen transports: the
 * server's order, fallback with a fresh negotiate before each new attempt, and one error that reports
 * every transport's failure.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCode, isClientError, type ClientError } from './errors.js';
import { HubConnection } from './hub-connection.js';
import { startHttpProxy, type HttpProxy } from './test-support/http-proxy.js';
import { createClient, startTestServer, type TestServer } from './test-support/test-server.js';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';

let hub: TestServer;
let proxy: HttpProxy;
before(async () => {
  hub = await startTestServer();
  proxy = await startHttpProxy(hub.port);
});
after(async () => {
  await proxy.close();
  await hub.close();
});
beforeEach(() => {
  proxy.blocked.clear();
  proxy.negotiates.length = 0;
});

const url = (): string => `${proxy.baseUrl}/hub`;
const all = ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const;

test('takes the first transport that works, in the server order, negotiating again after each failure', async () => {
  proxy.blocked.add('WebSockets');
  const connection = createClient(url(), all);
  await connection.start();
  assert.equal(await connection.invoke('transport'), 'ServerSentEvents');
  assert.equal(connection.transport, 'ServerSentEvents');
  await connection.stop();
  assert.equal(connection.transport, null);
  assert.equal(proxy.negotiates.length, 2);

  proxy.negotiates.length = 0;
  proxy.blocked.add('ServerSentEvents');
  const third = createClient(url(), all);
  await third.start();
  assert.equal(await third.invoke('transport'), 'LongPolling');
  assert.equal(third.transport, 'LongPolling');
  await third.stop();
  assert.equal(proxy.negotiates.length, 3);
});

test('when every transport fails, one error lists every failure in order', async () => {
  for (const kind of all) proxy.blocked.add(kind);
  const connection = createClient(url(), all);
  const error = await connection.start().then(() => assert.fail('start() should fail'), (e: unknown) => e as ClientError);
  assert.ok(isClientError(error, ClientErrorCode.NoTransport));
  assert.deepEqual(error.errors.map((e) => [(e as ClientError).code, e.message.split(':')[0]]), [
    [ClientErrorCode.TransportFailed, 'WebSockets failed'],
    [ClientErrorCode.TransportFailed, 'ServerSentEvents failed'],
    [ClientErrorCode.TransportFailed, 'LongPolling failed'],
  ]);
  assert.match(error.message, /^Unable to connect to the server with any of the available transports\. WebSockets failed: .* ServerSentEvents failed: .* LongPolling failed: .*Status code '503'/);
  assert.equal(connection.state, 'Disconnected');
});

test('skips transports the client disabled, cannot use here, or that lack the transfer format', async () => {
  // Node 20 has no global WebSocket: without the option, WebSockets is unavailable here.
  const noWebSocket = new HubConnection({ url: url(), transport: ['WebSockets', 'ServerSentEvents'], protocol: new MessagePackHubProtocol() });
  const error = await noWebSocket.start().then(() => assert.fail('start() should fail'), (e: unknown) => e as ClientError);
  assert.ok(isClientError(error, ClientErrorCode.NoTransport));
  assert.deepEqual(error.errors.map((e) => [(e as ClientError).code, e.message]), [
    [ClientErrorCode.TransportUnavailable, "'WebSockets' is not supported in your environment: pass a WebSocket constructor (in Node 20: `WebSocket` from the 'ws' package)."],
    [ClientErrorCode.TransportUnavailable, "'ServerSentEvents' does not support Binary."],
    [ClientErrorCode.TransportUnavailable, "'LongPolling' is disabled by the client."],
  ]);
  assert.equal(proxy.negotiates.length, 1, 'skipping a transport costs no negotiate');
});

test('a forced transport is used even when an earlier one would work', async () => {
  const connection = createClient(url(), 'LongPolling');
  await connection.start();
  assert.equal(await connection.invoke('transport'), 'LongPolling');
  await connection.stop();
});
