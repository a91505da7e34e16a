/**
 * What `onDisconnected(error)` learns about a connection that misbehaved, on every transport ×
 * protocol: nothing for a client that stops cleanly, the parse error for unreadable input, and, as
 * on .NET, "Connection terminated while reading a message." for a transport that ends in the
 * middle of a hub message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from '../hub.js';
import { startApp, transportMatrix, type ProtocolName, type TestApp } from '../test-support/e2e.js';
import { RawHubClient, frameMessagePack, invocation } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';

/** onDisconnected outcomes by connection id. */
const disconnects = new Map<string, (error: Error | undefined) => void>();
const outcomes = new Map<string, Promise<Error | undefined>>();

class RecordingHub extends Hub {
  override onConnected(): void {
    const { connectionId } = this.context;
    outcomes.set(connectionId, new Promise((resolve) => disconnects.set(connectionId, resolve)));
  }
  override onDisconnected(error?: Error): void {
    disconnects.get(this.context.connectionId)?.(error);
  }
  connectionId(): string {
    return this.context.connectionId;
  }
}

/** Half of an invocation: its record separator (JSON) or the end of its body (MessagePack) never comes. */
function halfMessage(client: RawHubClient, protocol: ProtocolName): string | Uint8Array {
  const whole = client.encode(invocation(protocol, '9', 'connectionId', []));
  return typeof whole === 'string' ? whole.slice(0, -1) : whole.subarray(0, whole.length - 2);
}

describe('onDisconnected after bad input, end to end', () => {
  let server: TestApp;
  before(async () => {
    server = await startApp((app) => app.mapHub('/hub', RecordingHub));
  });
  after(() => server.close());

  async function connect(transport: (typeof transportMatrix)[number][0], protocol: ProtocolName): Promise<{ client: RawHubClient; outcome: Promise<Error | undefined> }> {
    const client = await RawHubClient.open(`${server.baseUrl}/hub`, transport, protocol);
    assert.deepEqual(await client.handshake(), {});
    const answer = await client.invoke('1', 'connectionId');
    const outcome = outcomes.get(answer['result'] as string);
    assert.ok(outcome !== undefined);
    return { client, outcome };
  }

  for (const [transport, protocol] of transportMatrix) {
    test(`${transport} + ${protocol}: clean stop, unreadable input, and a transport ending mid-message`, async () => {
      const clean = await connect(transport, protocol);
      await clean.client.connection.stop();
      assert.equal(await withTimeout(clean.outcome, 'onDisconnected'), undefined);

      const garbage = await connect(transport, protocol);
      await garbage.client.connection.send(protocol === 'json' ? 'not json\x1e' : frameMessagePack(new Uint8Array([0xc1])));
      const parseError = await withTimeout(garbage.outcome, 'onDisconnected');
      assert.equal(parseError?.name, 'InvalidDataException');
      await garbage.client.connection.close();

      const truncated = await connect(transport, protocol);
      await truncated.client.connection.send(halfMessage(truncated.client, protocol));
      await truncated.client.connection.stop();
      const error = await withTimeout(truncated.outcome, 'onDisconnected');
      assert.equal(error?.name, 'InvalidDataException');
      assert.equal(error?.message, 'Connection terminated while reading a message.');
    });
  }
});
