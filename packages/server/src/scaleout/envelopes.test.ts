import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  GroupAction,
  decodeAck,
  decodeCompletionEnvelope,
  decodeGroupCommand,
  decodeMessageEnvelope,
  encodeAck,
  encodeCompletionEnvelope,
  encodeGroupCommand,
  encodeMessageEnvelope,
} from './envelopes.js';
import { EnvelopeError } from './msgpack-lite.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (text: string): Uint8Array => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test('writes the documented MessagePack shapes byte for byte', () => {
  assert.equal(hex(encodeAck(5)), '9105');
  assert.equal(hex(encodeAck(300)), '91cd012c');
  assert.equal(
    hex(encodeGroupCommand({ id: 1, serverId: 's', action: GroupAction.Add, group: 'g', connectionId: 'c' })),
    '9501a17301a167a163',
  );
  // [["x"], {"json": bin(0x7b)}, "o"]
  assert.equal(hex(encodeMessageEnvelope({ excluded: ['x'], encodings: [['json', Uint8Array.of(0x7b)]], origin: 'o' })), '9391a17881a46a736f6ec4017ba16f');
  // [[], {}, "o", "i", 7]
  assert.equal(hex(encodeMessageEnvelope({ excluded: [], encodings: [], origin: 'o', invocationId: 'i', ackId: 7 })), '959080a16fa16907');
  assert.equal(hex(encodeCompletionEnvelope({ protocol: 'json', completion: Uint8Array.of(1), disconnected: false })), '92a46a736f6ec40101');
  assert.equal(hex(encodeCompletionEnvelope({ protocol: 'json', completion: Uint8Array.of(1), disconnected: true })), '93a46a736f6ec4010101');
});

test('reads what other MessagePack writers produce: int32 ids (.NET), str16, bin16, extra items', () => {
  assert.equal(decodeAck(bytes('91 d2 00000007')), 7);
  assert.equal(decodeAck(bytes('92 05 c0')), 5);
  const command = decodeGroupCommand(bytes('96 ce00000009 da0001 73 02 d90167 a163 c0'));
  assert.deepEqual(command, { id: 9, serverId: 's', action: GroupAction.Remove, group: 'g', connectionId: 'c' });
  const envelope = decodeMessageEnvelope(bytes('94 dc0001 a178 de0001 a46a736f6e c50002 7b7d a16f c0'));
  assert.deepEqual(envelope.excluded, ['x']);
  assert.deepEqual(envelope.encodings.map(([name, data]) => [name, hex(data)]), [['json', '7b7d']]);
  assert.equal(envelope.origin, 'o');
  assert.equal(envelope.invocationId, undefined);
});

test('rejects malformed payloads with EnvelopeError', () => {
  for (const payload of ['', '90', '91a1', '93 90 80', '9105ff', '95 01 a173 03 a167 a163', '91 d0 ff', 'c0', '93 90 80 c4']) {
    assert.throws(() => {
      decodeMessageEnvelope(bytes(payload));
      decodeAck(bytes(payload));
      decodeGroupCommand(bytes(payload));
    }, EnvelopeError, payload);
  }
  assert.throws(() => decodeGroupCommand(bytes('95 01 a173 03 a167 a163')), /Unknown group action 3/);
  assert.throws(() => decodeCompletionEnvelope(bytes('91 a0')), EnvelopeError);
});

test('round-trips any names, ids and payload sizes', () => {
  const name = fc.string({ unit: 'binary', maxLength: 70_000 });
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 20 }),
      fc.array(fc.tuple(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 70_000 })), { maxLength: 3 }),
      name,
      fc.option(fc.tuple(fc.string(), fc.integer({ min: 0, max: 0x7fffffff })), { nil: undefined }),
      (excluded, encodings, origin, invocation) => {
        const envelope = { excluded, encodings, origin, ...(invocation === undefined ? {} : { invocationId: invocation[0], ackId: invocation[1] }) };
        const decoded = decodeMessageEnvelope(encodeMessageEnvelope(envelope));
        assert.deepEqual(decoded.excluded, excluded);
        assert.deepEqual(decoded.encodings.map(([n, b]) => [n, hex(b)]), encodings.map(([n, b]) => [n, hex(b)]));
        assert.equal(decoded.origin, origin);
        assert.equal(decoded.invocationId, invocation?.[0]);
        assert.equal(decoded.ackId, invocation?.[1]);
      },
    ),
    { numRuns: 60 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), name, name, name, (id, serverId, group, connectionId) => {
      assert.equal(decodeAck(encodeAck(id)), id);
      const command = { id, serverId, action: GroupAction.Add, group, connectionId };
      assert.deepEqual(decodeGroupCommand(encodeGroupCommand(command)), command);
    }),
    { numRuns: 40 },
  );
});
