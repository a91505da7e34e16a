// Cross-checks against the official codec (@microsoft/signalr-protocol-msgpack, which runs on
// @msgpack/msgpack 2.x): ours reads what it writes, it reads what we write, and both write the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NullLogger } from '@microsoft/signalr';
import { MessagePackHubProtocol as OfficialMessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import type { HubMessage } from '@switchyard/protocol';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
import { concat, toHex } from './test-support/bytes.js';
import { hubMessageArb, officialWritableMessageArb } from './test-support/hub-message-arbitraries.js';

type OfficialMessage = Parameters<OfficialMessagePackHubProtocol['writeMessage']>[0];

const ours = new MessagePackHubProtocol();
const official = new OfficialMessagePackHubProtocol();

function officialWrite(message: HubMessage): Uint8Array {
  return new Uint8Array(official.writeMessage(message as unknown as OfficialMessage));
}

function officialParse(bytes: Uint8Array): unknown[] {
  // The official parser wants an exact ArrayBuffer, not a view.
  return official.parseMessages(bytes.slice().buffer, NullLogger.instance);
}

/**
 * Brings a message to what both codecs agree on: the official reader sets absent fields to undefined,
 * always returns headers (`{}` when empty), reads Close's nil error as null, and drops Invocation
 * stream ids (it always returns `[]`).
 */
function comparable(message: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (key === 'headers' && Object.keys(value as object).length === 0) continue;
    if (key === 'streamIds') continue;
    if (key === 'error' && value === null) continue;
    if (key === 'allowReconnect' && value === false) continue;
    out[key] = value;
  }
  return out;
}

/** Types the official client reads; it skips StreamInvocation (4) and CancelInvocation (5) as unknown. */
const officialReads = (message: HubMessage): boolean => message.type !== 4 && message.type !== 5;

test('golden messages: both codecs write identical bytes', () => {
  const messages: HubMessage[] = [
    { type: 1, invocationId: 'xyz', target: 'method', arguments: [42], streamIds: [] },
    { type: 1, target: 'method', arguments: [42] },
    { type: 1, headers: { a: 'b' }, invocationId: '0', target: 'm', arguments: [], streamIds: ['1'] },
    { type: 4, invocationId: 'xyz', target: 'method', arguments: [42] },
    { type: 2, invocationId: 'xyz', item: { bin: Uint8Array.of(1), when: new Date(1_700_000_000_123) } },
    { type: 3, invocationId: 'xyz' },
    { type: 3, invocationId: 'xyz', result: 42 },
    { type: 3, invocationId: 'xyz', result: null },
    { type: 3, invocationId: 'xyz', error: 'Error' },
    { type: 5, invocationId: 'xyz' },
    { type: 6 },
    { type: 7 },
    { type: 8, sequenceId: 36 },
    { type: 9, sequenceId: 2 ** 40 },
  ];
  for (const message of messages) {
    assert.equal(toHex(ours.writeMessage(message)), toHex(officialWrite(message)), JSON.stringify(message));
  }
});

test('Close: the official client writes [7, nil]; ours reads it as a plain close', () => {
  const bytes = officialWrite({ type: 7, error: 'ignored by the official writer', allowReconnect: true });
  assert.equal(toHex(bytes), '03 92 07 C0');
  assert.deepEqual(ours.parseMessages(bytes).messages, [{ type: 7 }]);
});

test('Close: the official client reads our error and allowReconnect', () => {
  const parsed = officialParse(ours.writeMessage({ type: 7, error: 'Connection closed with an error.', allowReconnect: true }));
  assert.deepEqual(parsed, [{ type: 7, error: 'Connection closed with an error.', allowReconnect: true }]);
});

test('property: both codecs write identical bytes for every message the official one writes faithfully', () => {
  fc.assert(
    fc.property(officialWritableMessageArb, (message) => {
      assert.equal(toHex(ours.writeMessage(message)), toHex(officialWrite(message)));
    }),
    { numRuns: 1000 },
  );
});

test('property: ours reads what the official codec writes', () => {
  fc.assert(
    fc.property(fc.array(officialWritableMessageArb, { maxLength: 4 }), (messages) => {
      const wire = concat(messages.map(officialWrite));
      const { messages: parsed, rest } = ours.parseMessages(wire);
      assert.deepEqual(parsed, messages);
      assert.equal(rest.byteLength, 0);
    }),
    { numRuns: 500 },
  );
});

test('property: the official codec reads what ours writes', () => {
  fc.assert(
    fc.property(fc.array(hubMessageArb, { maxLength: 4 }), (messages) => {
      const wire = concat(messages.map((message) => ours.writeMessage(message)));
      const parsed = officialParse(wire).map(comparable);
      assert.deepEqual(parsed, messages.filter(officialReads).map(comparable));
    }),
    { numRuns: 500 },
  );
});
