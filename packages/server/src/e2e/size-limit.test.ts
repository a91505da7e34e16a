/**
 * maximumReceiveMessageSize at its edge, on raw WebSocket frames. .NET counts a message with its
 * framing: a JSON record (and the handshake) must fit with its 0x1E, a MessagePack body with its
 * length prefix. Exactly the limit is accepted; one byte more closes the connection.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import { startApp, type ProtocolName, type TestApp } from '../test-support/e2e.js';
import { RawConnection, RawHubClient, frameMessagePack } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

/** The default maximumReceiveMessageSize, as .NET's. */
const LIMIT = 32_768;
const TOO_LARGE =
  'Connection closed with an error. InvalidDataException: The maximum message size of 32768B was exceeded. The message size can be configured in AddHubOptions.';

/** An Invocation of `echo` whose framed size (0x1E or length prefix included) is exactly `size` bytes. */
function echoOfFramedSize(protocol: ProtocolName, size: number): { framed: string | Uint8Array; argument: string } {
  const build = (length: number): string | Uint8Array => {
    const argument = 'x'.repeat(length);
    return protocol === 'json'
      ? `${JSON.stringify({ type: 1, invocationId: '1', target: 'echo', arguments: [argument] })}\x1e`
      : frameMessagePack(encode([1, {}, '1', 'echo', [argument]]));
  };
  // Sized near the target, so the prefix and string header widths are those of the result.
  const overhead = build(size - 100).length - (size - 100);
  const argumentLength = size - overhead;
  const framed = build(argumentLength);
  assert.equal(framed.length, size);
  return { framed, argument: 'x'.repeat(argumentLength) };
}

/** A handshake request record of exactly `size` bytes with its 0x1E. */
function handshakeOfFramedSize(size: number): string {
  const head = '{"protocol":"json","version":1,"padding":"';
  const request = `${head}${'x'.repeat(size - head.length - 3)}"}\x1e`;
  assert.equal(request.length, size);
  return request;
}

describe('maximumReceiveMessageSize counts the framing, as .NET does', () => {
  let server: TestApp;
  before(async () => {
    server = await startApp((app) => app.mapHub('/hub', E2EHub, { enableDetailedErrors: true }));
  });
  after(() => server.close());

  for (const protocol of ['json', 'messagepack'] as const) {
    const framing = protocol === 'json' ? 'its 0x1E' : 'its length prefix';
    test(`${protocol}: a message of exactly ${LIMIT} bytes with ${framing} is answered`, async () => {
      const client = await RawHubClient.open(`${server.baseUrl}/hub`, 'WebSockets', protocol);
      try {
        assert.deepEqual(await client.handshake(), {});
        const { framed, argument } = echoOfFramedSize(protocol, LIMIT);
        await client.connection.send(framed);
        const completion = await client.completion('1');
        assert.equal(completion['result'], argument);
      } finally {
        await client.connection.close();
      }
    });

    test(`${protocol}: one byte more closes the connection with .NET's error`, async () => {
      const client = await RawHubClient.open(`${server.baseUrl}/hub`, 'WebSockets', protocol);
      try {
        assert.deepEqual(await client.handshake(), {});
        await client.connection.send(echoOfFramedSize(protocol, LIMIT + 1).framed);
        assert.deepEqual(await withTimeout(client.connection.ended, 'the server ending the transport'), { transport: 'WebSockets', code: 1000 });
        assert.deepEqual(client.output.messages, [{ type: 7, error: TOO_LARGE, allowReconnect: true }]);
      } finally {
        await client.connection.close();
      }
    });
  }

  test(`a handshake of exactly ${LIMIT} bytes with its 0x1E is accepted; one byte more is canceled`, async () => {
    for (const [size, answer] of [[LIMIT, '{}'], [LIMIT + 1, '{"error":"Handshake was canceled."}']] as const) {
      const connection = await RawConnection.open(`${server.baseUrl}/hub`, 'WebSockets');
      try {
        await connection.send(handshakeOfFramedSize(size));
        await connection.until((bytes) => bytes.includes(0x1e), `the answer to a ${size}-byte handshake`);
        assert.equal(connection.bytes.toString('utf8'), `${answer}\x1e`);
      } finally {
        await connection.close();
      }
    }
  });
});
