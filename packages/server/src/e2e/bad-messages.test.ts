/**
 * Input the hub protocol cannot read, after a good handshake, on every transport × protocol where it
 * can arrive (WebSocket frames; POST bodies next to SSE and long polling). As .NET does, the offender
 * gets exactly one Close, `{"type":7,"error":"Connection closed with an error.","allowReconnect":true}`
 * (detailed errors add " InvalidDataException: …"), then its transport ends cleanly; official
 * clients on every transport × protocol keep working on the same server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import * as signalR from '@microsoft/signalr';
import { Bystanders } from '../test-support/bystanders.js';
import { officialClient, startApp, transportMatrix, type ProtocolName, type TestApp, type TransportKind } from '../test-support/e2e.js';
import { RawHubClient, frameMessagePack, invocation, type TransportEnd } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

const CLOSED_WITH_ERROR = 'Connection closed with an error.';
const TOO_LARGE = 'The maximum message size of 32768B was exceeded. The message size can be configured in AddHubOptions.';
/** Over the default maximumReceiveMessageSize (32 KiB) but far below the transport's body limit. */
const OVERSIZED_TEXT = 'x'.repeat(40_000);

const cleanEnd: Record<TransportKind, TransportEnd> = {
  WebSockets: { transport: 'WebSockets', code: 1000 },
  ServerSentEvents: { transport: 'ServerSentEvents' },
  LongPolling: { transport: 'LongPolling', status: 204 },
};

interface BadInput {
  readonly name: string;
  /** What the offender sends after its handshake: one frame or POST body, or several in a row. */
  readonly payload: (client: RawHubClient) => string | Uint8Array | ReadonlyArray<string | Uint8Array>;
  /** The detail detailed errors append, when it is .NET's text too. */
  readonly detail?: string;
}

const badInput: Record<ProtocolName, readonly BadInput[]> = {
  json: [
    { name: 'text that is not JSON', payload: () => 'this is not json\x1e', detail: 'Error reading JSON.' },
    { name: 'an empty record', payload: () => '\x1e', detail: 'Unexpected end when reading JSON.' },
    { name: 'bytes that are not UTF-8', payload: () => new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x1e]) },
    { name: 'a message without a type', payload: () => '{"target":"echo","arguments":[]}\x1e', detail: "Missing required property 'type'." },
    {
      name: 'a Completion with both result and error',
      payload: () => '{"type":3,"invocationId":"1","result":1,"error":"x"}\x1e',
      detail: "The 'error' and 'result' properties are mutually exclusive.",
    },
    { name: 'a message over the size limit', payload: (client) => client.encode(invocation('json', '1', 'echo', [OVERSIZED_TEXT])), detail: TOO_LARGE },
    {
      // Refused once the unfinished part is too long: a client cannot make the server buffer without end.
      name: 'an unterminated message growing over the size limit',
      payload: () => ['{"type":1,"target":"echo","arguments":["', 'x'.repeat(20_000), 'x'.repeat(20_000)],
      detail: TOO_LARGE,
    },
  ],
  messagepack: [
    { name: 'bytes that are not MessagePack', payload: () => new Uint8Array([0x03, 0xc1, 0xc1, 0xc1]) },
    { name: 'a broken length prefix', payload: () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]) },
    { name: 'an empty message', payload: () => new Uint8Array([0x00]) },
    { name: 'a message that is not an array', payload: () => frameMessagePack(encode('hello')) },
    { name: 'an Invocation with a numeric target', payload: () => frameMessagePack(encode([1, {}, '1', 42, []])) },
    {
      name: 'a message over the size limit',
      payload: (client) => client.encode(invocation('messagepack', '1', 'echo', [OVERSIZED_TEXT])),
      detail: TOO_LARGE,
    },
    {
      name: 'a message over the size limit sent in two parts',
      payload: (client) => {
        const frame = client.encode(invocation('messagepack', '1', 'echo', [OVERSIZED_TEXT])) as Uint8Array;
        return [frame.subarray(0, 20_000), frame.subarray(20_000, 36_000)];
      },
      detail: TOO_LARGE,
    },
  ],
};

describe('unreadable messages, end to end', () => {
  let server: TestApp;
  let bystanders: Bystanders;
  before(async () => {
    server = await startApp((app) => {
      app.mapHub('/hub', E2EHub);
      app.mapHub('/detailed', E2EHub, { enableDetailedErrors: true });
    });
    bystanders = await Bystanders.start(`${server.baseUrl}/hub`);
  });
  after(async () => {
    await bystanders.stop();
    await server.close();
  });

  /** Opens a client, completes the handshake, sends the bad input; returns what came back. */
  async function offend(path: string, transport: TransportKind, protocol: ProtocolName, bad: BadInput): Promise<RawHubClient> {
    const client = await RawHubClient.open(`${server.baseUrl}${path}`, transport, protocol);
    assert.deepEqual(await client.handshake(), {});
    const payload = bad.payload(client);
    const parts = typeof payload === 'string' || payload instanceof Uint8Array ? [payload] : payload;
    const sendAll = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (const part of parts) statuses.push(await client.connection.send(part));
      return statuses;
    };
    const [statuses] = await Promise.all([sendAll(), bystanders.assertServing('during')]);
    // The Close travels on the receive side: the first POST is accepted (200); a later part may find
    // the connection already ended (POST 404, WebSocket closing: 0).
    assert.equal(statuses[0], 200);
    for (const status of statuses) assert.ok([200, 404, 0].includes(status), String(status));
    assert.deepEqual(await withTimeout(client.connection.ended, 'the server ending the transport'), cleanEnd[transport]);
    return client;
  }

  for (const [transport, protocol] of transportMatrix) {
    for (const bad of badInput[protocol]) {
      test(`${transport} + ${protocol}: ${bad.name} closes that connection only`, async () => {
        const plain = await offend('/hub', transport, protocol, bad);
        const detailed = await offend('/detailed', transport, protocol, bad);
        try {
          assert.deepEqual(plain.output.messages, [{ type: 7, error: CLOSED_WITH_ERROR, allowReconnect: true }]);
          if (protocol === 'json') {
            // Byte for byte what .NET writes.
            assert.equal(plain.connection.bytes.toString('utf8'), '{}\x1e{"type":7,"error":"Connection closed with an error.","allowReconnect":true}\x1e');
          }
          const [close] = detailed.output.messages;
          assert.equal(detailed.output.messages.length, 1);
          assert.equal(close?.type, 7);
          assert.equal(close?.['allowReconnect'], true);
          if (bad.detail === undefined) assert.match(String(close?.['error']), /^Connection closed with an error\. InvalidDataException: ./);
          else assert.equal(close?.['error'], `${CLOSED_WITH_ERROR} InvalidDataException: ${bad.detail}`);
          await bystanders.assertServing('after');
        } finally {
          await Promise.all([plain.connection.close(), detailed.connection.close()]);
        }
      });
    }
  }

  for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
    test(`${transport}: garbage in the same frame as a good handshake: accepted, then closed`, async () => {
      const client = await RawHubClient.open(`${server.baseUrl}/detailed`, transport, 'json');
      try {
        await client.connection.send('{"protocol":"json","version":1}\x1enot json\x1e');
        assert.deepEqual(await withTimeout(client.connection.ended, 'the server ending the transport'), cleanEnd[transport]);
        assert.equal(
          client.connection.bytes.toString('utf8'),
          '{}\x1e{"type":7,"error":"Connection closed with an error. InvalidDataException: Error reading JSON.","allowReconnect":true}\x1e',
        );
        await bystanders.assertServing('after');
      } finally {
        await client.connection.close();
      }
    });
  }

  for (const [transport, protocol] of transportMatrix) {
    test(`${transport} + ${protocol}: the official client sending over the size limit is closed with the server's error`, async () => {
      const connection = officialClient(`${server.baseUrl}/detailed`, transport, protocol);
      const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
      await connection.start();
      const expected = `Server returned an error on close: ${CLOSED_WITH_ERROR} InvalidDataException: ${TOO_LARGE}`;
      await assert.rejects(connection.invoke('echo', OVERSIZED_TEXT), { message: expected });
      assert.equal((await withTimeout(closed, 'onclose'))?.message, expected);
      assert.equal(connection.state, signalR.HubConnectionState.Disconnected);
      await bystanders.assertServing('after');
    });
  }

  test('the Close allows reconnecting: an official client with automatic reconnect comes back', async () => {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${server.baseUrl}/hub`, { transport: signalR.HttpTransportType.WebSockets })
      .withAutomaticReconnect([0, 100, 500, 1000, 2000])
      .configureLogging(signalR.LogLevel.None)
      .build();
    const reconnecting = new Promise<Error | undefined>((resolve) => connection.onreconnecting(resolve));
    const reconnected = new Promise<string | undefined>((resolve) => connection.onreconnected(resolve));
    await connection.start();
    try {
      const firstId = connection.connectionId;
      await assert.rejects(connection.invoke('echo', OVERSIZED_TEXT), { message: `Server returned an error on close: ${CLOSED_WITH_ERROR}` });
      assert.equal((await withTimeout(reconnecting, 'onreconnecting'))?.message, `Server returned an error on close: ${CLOSED_WITH_ERROR}`);
      const secondId = await withTimeout(reconnected, 'onreconnected');
      assert.notEqual(secondId, firstId);
      assert.equal(await connection.invoke('echo', 'back'), 'back');
    } finally {
      await connection.stop();
    }
  });
});
