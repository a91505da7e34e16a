/**
 * Good messages in the same frame as a bad one, on raw WebSocket frames. .NET reads messages one by one
 * and dispatches each before it reads the next, so an invocation ahead of unreadable input is answered
 * (its Completion) and only then does the Close come.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import { startApp, type ProtocolName, type TestApp } from '../test-support/e2e.js';
import { RawHubClient, frameMessagePack, invocation } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

const CLOSE = { type: 7, error: 'Connection closed with an error.', allowReconnect: true };

interface BadInput {
  readonly name: string;
  readonly protocol: ProtocolName;
  readonly bytes: string | Uint8Array;
}

const badInputs: readonly BadInput[] = [
  { name: 'a record that is not JSON', protocol: 'json', bytes: 'garbage\x1e' },
  { name: 'a message over the size limit', protocol: 'json', bytes: `${JSON.stringify(invocation('json', '2', 'echo', ['x'.repeat(40_000)]))}\x1e` },
  { name: 'bytes that are not MessagePack', protocol: 'messagepack', bytes: Uint8Array.of(0x03, 0xc1, 0xc1, 0xc1) },
  { name: 'a message over the size limit', protocol: 'messagepack', bytes: frameMessagePack(encode(invocation('messagepack', '2', 'echo', ['x'.repeat(40_000)]))) },
];

describe('messages before unreadable input, end to end', () => {
  let server: TestApp;
  before(async () => {
    server = await startApp((app) => app.mapHub('/hub', E2EHub));
  });
  after(() => server.close());

  for (const bad of badInputs) {
    test(`WebSockets + ${bad.protocol}: an invocation ahead of ${bad.name} in the same frame is answered before the Close`, async () => {
      const client = await RawHubClient.open(`${server.baseUrl}/hub`, 'WebSockets', bad.protocol);
      try {
        assert.deepEqual(await client.handshake(), {});
        const good = client.encode(invocation(bad.protocol, '1', 'echo', [1]));
        const frame = typeof good === 'string' && typeof bad.bytes === 'string'
          ? good + bad.bytes
          : Buffer.concat([Buffer.from(good), Buffer.from(bad.bytes)]);
        await client.connection.send(frame);
        assert.deepEqual(await withTimeout(client.connection.ended, 'the server ending the transport'), { transport: 'WebSockets', code: 1000 });
        assert.deepEqual(client.output.messages, [{ type: 3, invocationId: '1', result: 1 }, CLOSE]);
      } finally {
        await client.connection.close();
      }
    });
  }
});
