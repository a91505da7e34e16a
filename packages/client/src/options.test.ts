import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ClientErrorCode, isClientError } from './errors.js';
import { HubConnection } from './hub-connection.js';
import { HubConnectionBuilder } from './hub-connection-builder.js';
import type { HubConnectionOptions } from './options.js';
import { startTestServer } from './test-support/test-server.js';

test('bad options throw ERR_CLIENT_INVALID_OPTION with what is wrong', () => {
  const cases: Array<[HubConnectionOptions, RegExp]> = [
    [{ url: '' }, /url must be a non-empty string/],
    [{ url: '/relative' }, /Cannot resolve '\/relative'/],
    [{ url: 'ftp://example.com/hub' }, /Cannot resolve/],
    [{ url: 'http://x/hub', transport: [] }, /at least one transport/],
    [{ url: 'http://x/hub', transport: 'Carrier' as 'LongPolling' }, /unknown transport 'Carrier'/],
    [{ url: 'http://x/hub', skipNegotiation: true }, /Negotiation can only be skipped when using the WebSocket transport directly\./],
    [{ url: 'http://x/hub', serverTimeoutMs: 0 }, /serverTimeoutMs must be a positive finite number/],
    [{ url: 'http://x/hub', statefulReconnectBufferBytes: Number.NaN }, /statefulReconnectBufferBytes/],
    [{ url: 'http://x/hub', reconnect: [100, -1] }, /reconnect delays must be numbers >= 0/],
    [{ url: 'http://x/hub', reconnect: {} as never }, /reconnect must be/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new HubConnection(options), (error: unknown) => {
      assert.ok(isClientError(error, ClientErrorCode.InvalidOption), String(error));
      assert.match(error.message, message);
      return true;
    });
  }
  assert.throws(() => new HubConnectionBuilder().build(), (error: unknown) => isClientError(error, ClientErrorCode.InvalidOption));
});

test('the builder produces a working connection with its options', async () => {
  const server = await startTestServer();
  try {
    const connection = new HubConnectionBuilder()
      .withUrl(server.hubUrl, { WebSocket, transport: 'WebSockets' })
      .withAutomaticReconnect([0])
      .withServerTimeout(60_000)
      .withKeepAliveInterval(20_000)
      .withStatefulReconnect({ bufferBytes: 50_000 })
      .build();
    await connection.start();
    assert.equal(await connection.invoke('transport'), 'WebSockets');
    await connection.stop();
  } finally {
    await server.close();
  }
});
