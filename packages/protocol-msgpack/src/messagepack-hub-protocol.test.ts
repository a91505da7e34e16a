import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtData } from '@msgpack/msgpack';
import { ProtocolError, ProtocolErrorCode, type HubMessage } from '@switchyard/protocol';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
import { concat, framed, fromHex, toHex } from './test-support/bytes.js';

const XYZ = 'A3 78 79 7A';
const M = 'A1 6D'; // target "m"

function assertRejects(input: Uint8Array | string, code: ProtocolErrorCode, message: string | RegExp, label = ''): void {
  const protocol = new MessagePackHubProtocol();
  assert.throws(() => protocol.parseMessages(input), (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `${label}: expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, code, label);
    if (typeof message === 'string') assert.equal(error.message, message, label);
    else assert.match(error.message, message, label);
    return true;
  }, label);
}

test('identifies itself as messagepack version 2 over binary transports', () => {
  const protocol = new MessagePackHubProtocol();
  assert.equal(protocol.name, 'messagepack');
  assert.equal(protocol.version, 2);
  assert.equal(protocol.transferFormat, 'Binary');
});

test('several messages in one buffer are all parsed, in order', () => {
  const protocol = new MessagePackHubProtocol();
  const sent: HubMessage[] = [
    { type: 6 },
    { type: 1, target: 'a', arguments: [1] },
    { type: 2, invocationId: '1', item: 'x' },
    { type: 3, invocationId: '1' },
    { type: 7 },
  ];
  const { messages, rest } = protocol.parseMessages(concat(sent.map((m) => protocol.writeMessage(m))));
  assert.deepEqual(messages, sent);
  assert.equal(rest.byteLength, 0);
});

test('a partial trailing frame comes back as rest and completes with the next bytes', () => {
  const protocol = new MessagePackHubProtocol();
  const first = protocol.writeMessage({ type: 2, invocationId: '1', item: 1 });
  const second = protocol.writeMessage({ type: 2, invocationId: '1', item: 'a longer item that spans a cut' });
  const wire = concat([first, second]);
  const cut = first.byteLength + 5;

  const head = protocol.parseMessages(wire.subarray(0, cut));
  assert.deepEqual(head.messages, [{ type: 2, invocationId: '1', item: 1 }]);
  assert.equal(toHex(head.rest), toHex(second.subarray(0, 5)));

  const tail = protocol.parseMessages(concat([head.rest, wire.subarray(cut)]));
  assert.deepEqual(tail.messages, [{ type: 2, invocationId: '1', item: 'a longer item that spans a cut' }]);
  assert.equal(tail.rest.byteLength, 0);
});

test('unknown message types are skipped, the messages around them kept', () => {
  const protocol = new MessagePackHubProtocol();
  const input = concat([framed('91 06'), framed('93 0A 01 02'), framed('91 63'), framed('92 08 01')]);
  assert.deepEqual(protocol.parseMessages(input).messages, [{ type: 6 }, { type: 8, sequenceId: 1 }]);
});

test('maxMessageSize counts the length prefix: a frame of exactly the limit passes, one byte more is refused', () => {
  const protocol = new MessagePackHubProtocol();
  const ping = protocol.writeMessage({ type: 6 }); // 02 91 06
  assert.equal(protocol.parseMessages(ping, { maxMessageSize: 3 }).messages.length, 1);
  assert.throws(() => protocol.parseMessages(ping, { maxMessageSize: 2 }), {
    code: ProtocolErrorCode.MessageTooLarge,
    message: 'The maximum message size of 2B was exceeded.',
  });
  // .NET's default of 32768: an Invocation framed into exactly 32768 bytes passes, one byte more does not.
  const invocation = (argumentLength: number): Uint8Array =>
    protocol.writeMessage({ type: 1, invocationId: '1', target: 'echo', arguments: ['x'.repeat(argumentLength)] });
  const fixed = invocation(32_000).byteLength - 32_000; // a 3-byte prefix and a str16 header, as at the limit
  const exact = invocation(32_768 - fixed);
  assert.equal(exact.byteLength, 32_768);
  assert.equal(protocol.parseMessages(exact, { maxMessageSize: 32_768 }).messages.length, 1);
  assert.throws(() => protocol.parseMessages(invocation(32_769 - fixed), { maxMessageSize: 32_768 }), {
    code: ProtocolErrorCode.MessageTooLarge,
    message: 'The maximum message size of 32768B was exceeded.',
  });
});

test('maxMessageSize fails before an oversized body arrives', () => {
  const protocol = new MessagePackHubProtocol();
  const huge = fromHex('80 80 04 94'); // declares 65536 bytes, carries one
  assert.throws(() => protocol.parseMessages(huge, { maxMessageSize: 32768 }), {
    code: ProtocolErrorCode.MessageTooLarge,
    message: 'The maximum message size of 32768B was exceeded.',
  });
});

test('the messages before a bad frame travel on the error, in order; nothing after it is read', () => {
  const protocol = new MessagePackHubProtocol();
  const invocation: HubMessage = { type: 1, invocationId: '1', target: 'echo', arguments: [1] };
  const valid = concat([protocol.writeMessage(invocation), protocol.writeMessage({ type: 6 })]);
  const after = protocol.writeMessage({ type: 6 });
  const cases: { bad: Uint8Array; code: ProtocolErrorCode; max?: number }[] = [
    { bad: framed('C1'), code: ProtocolErrorCode.InvalidPayload }, // 0xC1 is never used in MessagePack
    { bad: framed('91 01'), code: ProtocolErrorCode.InvalidMessage }, // an Invocation without its fields
    { bad: fromHex('80 80 80 80 80'), code: ProtocolErrorCode.InvalidFrame },
    { bad: framed('00'.repeat(30)), code: ProtocolErrorCode.MessageTooLarge, max: 20 }, // 31 bytes framed
  ];
  for (const { bad, code, max } of cases) {
    const input = concat([valid, bad, after]);
    assert.throws(() => protocol.parseMessages(input, { maxMessageSize: max }), (error: unknown) => {
      assert.ok(error instanceof ProtocolError, String(error));
      assert.equal(error.code, code);
      assert.deepEqual(error.messagesBeforeError, [invocation, { type: 6 }]);
      return true;
    });
  }
  // A bad first frame has nothing before it.
  assert.throws(() => protocol.parseMessages(concat([framed('C1'), valid])), (error: unknown) => {
    assert.ok(error instanceof ProtocolError);
    assert.deepEqual(error.messagesBeforeError, []);
    return true;
  });
});
test('text input is refused: MessagePack is binary only', () => {
  assertRejects('{"type":6}\u001e', ProtocolErrorCode.InvalidPayload,
    'Invalid input for MessagePack hub protocol. Expected a Uint8Array.');
});

test('a Node Buffer is accepted, and decoded binary values are plain Uint8Array views', () => {
  const protocol = new MessagePackHubProtocol();
  const bytes = protocol.writeMessage({ type: 2, invocationId: '1', item: Uint8Array.of(1, 2, 3) });
  const { messages, rest } = protocol.parseMessages(Buffer.from(bytes));
  const item = (messages[0] as { item: unknown }).item;
  assert.ok(item instanceof Uint8Array);
  assert.equal(Object.getPrototypeOf(item), Uint8Array.prototype);
  assert.deepEqual(item, Uint8Array.of(1, 2, 3));
  assert.equal(Object.getPrototypeOf(rest), Uint8Array.prototype);
});

test('values: Uint8Array is bin, Date is the timestamp extension (-1), objects are maps', () => {
  const protocol = new MessagePackHubProtocol();
  const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  const item = { bin: Uint8Array.of(1, 2), when: new Date(0), nested: { list: [1.5, null, true, 'x'] } };
  const bytes = protocol.writeMessage({ type: 2, invocationId: '1', item });
  const body = toHex(bytes);
  assert.ok(body.includes('A3 62 69 6E C4 02 01 02'), `bin 8 for the Uint8Array in ${body}`);
  assert.ok(body.includes('A4 77 68 65 6E D6 FF 00 00 00 00'), `timestamp 32 (fixext 4, type -1) in ${body}`);
  assert.deepEqual(protocol.parseMessages(bytes).messages, [{ type: 2, invocationId: '1', item }]);

  // Milliseconds need the 64-bit timestamp form; they survive the round trip.
  const withMs = protocol.parseMessages(protocol.writeMessage({ type: 3, invocationId: '1', result: date }));
  assert.deepEqual(withMs.messages, [{ type: 3, invocationId: '1', result: date }]);
  // A timestamp written by another peer (.NET DateTime) decodes to a Date.
  const fromDotNet = protocol.parseMessages(framed(`94 02 80 ${XYZ} D6 FF 00 00 00 3C`));
  assert.deepEqual(fromDotNet.messages, [{ type: 2, invocationId: 'xyz', item: new Date(60_000) }]);
});

test('unknown extension types pass through as ExtData, both ways', () => {
  const protocol = new MessagePackHubProtocol();
  const bytes = framed(`94 02 80 ${XYZ} D4 05 01`);
  const { messages } = protocol.parseMessages(bytes);
  const item = (messages[0] as { item: unknown }).item;
  assert.ok(item instanceof ExtData);
  assert.equal(item.type, 5);
  assert.deepEqual(item.data, Uint8Array.of(1));
  assert.equal(toHex(protocol.writeMessage({ type: 2, invocationId: 'xyz', item })), toHex(bytes));
});

test('undefined values are written as nil and read back as null', () => {
  const protocol = new MessagePackHubProtocol();
  const bytes = protocol.writeMessage({ type: 1, target: 'm', arguments: [undefined, { a: undefined }] });
  assert.deepEqual(protocol.parseMessages(bytes).messages, [{ type: 1, target: 'm', arguments: [null, { a: null }] }]);
});

test('writes: fresh buffers, except Ping, which is one shared constant 02 91 06', () => {
  const protocol = new MessagePackHubProtocol();
  const a = protocol.writeMessage({ type: 8, sequenceId: 1 });
  const b = protocol.writeMessage({ type: 8, sequenceId: 2 });
  assert.notEqual(a.buffer, b.buffer, 'the encoder buffer is not shared with callers');
  assert.equal(toHex(a), '03 92 08 01');
  const ping = protocol.writeMessage({ type: 6 });
  assert.equal(toHex(ping), '02 91 06');
  assert.equal(new MessagePackHubProtocol().writeMessage({ type: 6 }), ping);
});

test('a large message gets a multi-byte prefix', () => {
  const protocol = new MessagePackHubProtocol();
  const bytes = protocol.writeMessage({ type: 2, invocationId: '1', item: 'x'.repeat(6000) });
  // body = 94 02 80 A1 31 DA 17 70 + 6000 bytes = 6008 = 0x1778 ⇒ prefix F8 2E
  assert.equal(toHex(bytes.subarray(0, 2)), 'F8 2E');
  assert.equal(bytes.byteLength, 6010);
  assert.equal(protocol.parseMessages(bytes).messages.length, 1);
});

test('Completion writes an error as kind 1 even when a result is also set', () => {
  const protocol = new MessagePackHubProtocol();
  const bytes = protocol.writeMessage({ type: 3, invocationId: 'xyz', error: 'E', result: 1 });
  assert.equal(toHex(bytes), toHex(framed(`95 03 80 ${XYZ} 01 A1 45`)));
});

test('values MessagePack cannot carry fail the write with a typed error', () => {
  const protocol = new MessagePackHubProtocol();
  assert.throws(() => protocol.writeMessage({ type: 2, invocationId: '1', item: () => 1 }), {
    code: ProtocolErrorCode.InvalidMessage,
    message: 'Cannot serialize StreamItem message: Unrecognized object: [object Function].',
  });
  assert.throws(() => protocol.writeMessage({ type: 3, invocationId: '1', result: 1n }), {
    code: ProtocolErrorCode.InvalidMessage,
  });
  assert.throws(() => protocol.writeMessage({ type: 99 } as unknown as HubMessage), {
    code: ProtocolErrorCode.InvalidMessage,
    message: 'Invalid message type: 99.',
  });
  // The encoder stays usable after a failure.
  assert.equal(toHex(protocol.writeMessage({ type: 8, sequenceId: 5 })), '03 92 08 05');
});

test('bytes that are not MessagePack are an invalid payload', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty body', framed(''), /^Invalid MessagePack payload: the message is empty\.$/],
    ['a reserved type byte', framed('C1'), /^Invalid MessagePack payload: Unrecognized type byte: 0xc1\.$/],
    ['a truncated array', framed('92 06'), /Insufficient data/],
    ['a string longer than its frame', framed('92 07 A5 61'), /Insufficient data/],
    ['bytes after the message', framed('91 06 00'), /Extra 1 of 3 byte\(s\)/],
    ['a __proto__ map key', framed(`94 02 80 ${XYZ} 81 A9 5F 5F 70 72 6F 74 6F 5F 5F 01`), /__proto__/],
    ['a bad timestamp length', framed(`94 02 80 ${XYZ} D5 FF 00 00`), /timestamp/],
  ];
  for (const [name, input, message] of cases) {
    assertRejects(input, ProtocolErrorCode.InvalidPayload, message, name);
  }
});

test('framing errors surface from parseMessages', () => {
  assertRejects(fromHex('FF FF FF FF FF'), ProtocolErrorCode.InvalidFrame, 'Cannot read message size.');
  assertRejects(fromHex('FF FF FF FF 0F'), ProtocolErrorCode.InvalidFrame, 'Messages bigger than 2GB are not supported.');
});

test('MessagePack that is not a hub message is an invalid message, with .NET-style texts', () => {
  const invalid: [string, string][] = [
    ['90', 'Invalid payload: a hub message must be a non-empty MessagePack array.'],
    ['A3 61 62 63', 'Invalid payload: a hub message must be a non-empty MessagePack array.'],
    ['91 A1 31', "Reading 'messageType' as Int32 failed."],
    ['91 CB 3F F8 00 00 00 00 00 00', "Reading 'messageType' as Int32 failed."],
    // Invocation
    [`94 01 80 C0 ${M}`, 'Invalid payload for Invocation message.'],
    [`95 01 90 C0 ${M} 90`, "Reading map length for 'headers' failed."],
    [`95 01 C0 C0 ${M} 90`, "Reading map length for 'headers' failed."],
    [`95 01 81 A1 61 01 C0 ${M} 90`, "Reading 'headers[0].Value' as String failed."],
    [`95 01 82 A1 61 A1 62 A1 63 C0 C0 ${M} 90`, "Reading 'headers[1].Value' as String failed."],
    [`95 01 81 A0 A1 62 C0 ${M} 90`, 'Null or empty key in header.'],
    [`95 01 81 A1 61 A0 C0 ${M} 90`, 'Null or empty value in header.'],
    [`95 01 80 01 ${M} 90`, "Reading 'invocationId' as String failed."],
    ['95 01 80 C0 A0 90', 'Null or empty target for Invocation message.'],
    ['95 01 80 C0 C0 90', 'Null or empty target for Invocation message.'],
    ['95 01 80 C0 01 90', "Reading 'target' as String failed."],
    [`95 01 80 C0 ${M} C0`, "Reading array length for 'arguments' failed."],
    [`95 01 80 C0 ${M} 80`, "Reading array length for 'arguments' failed."],
    [`96 01 80 C0 ${M} 90 01`, "Reading array length for 'streamIds' failed."],
    [`96 01 80 C0 ${M} 90 91 A0`, 'Null or empty value in streamIds received.'],
    [`96 01 80 C0 ${M} 90 91 01`, 'Null or empty value in streamIds received.'],
    // StreamInvocation
    [`94 04 80 ${XYZ} ${M}`, 'Invalid payload for StreamInvocation message.'],
    [`95 04 80 C0 ${M} 90`, 'Null or empty invocation ID for StreamInvocation message.'],
    [`95 04 80 ${XYZ} A0 90`, 'Null or empty target for StreamInvocation message.'],
    // StreamItem
    [`93 02 80 ${XYZ}`, 'Invalid payload for StreamItem message.'],
    ['94 02 80 A0 01', 'Null or empty invocation ID for StreamItem message.'],
    ['94 02 80 C3 01', "Reading 'invocationId' as String failed."],
    // Completion
    [`93 03 80 ${XYZ}`, 'Invalid payload for Completion message.'],
    [`94 03 80 ${XYZ} 01`, 'Invalid payload for Completion message.'],
    [`94 03 80 ${XYZ} 03`, 'Invalid payload for Completion message.'],
    [`95 03 80 ${XYZ} 04 01`, 'Invalid invocation result kind.'],
    [`95 03 80 ${XYZ} 00 01`, 'Invalid invocation result kind.'],
    [`95 03 80 ${XYZ} A1 31 01`, "Reading 'resultKind' as Int32 failed."],
    [`95 03 80 ${XYZ} 01 C0`, "Reading 'error' as String failed."],
    [`95 03 80 ${XYZ} 01 2A`, "Reading 'error' as String failed."],
    ['94 03 80 C0 02', 'Null or empty invocation ID for Completion message.'],
    // CancelInvocation
    ['92 05 80', 'Invalid payload for CancelInvocation message.'],
    ['93 05 80 A0', 'Null or empty invocation ID for CancelInvocation message.'],
    // Close
    ['91 07', 'Invalid payload for Close message.'],
    ['92 07 01', "Reading 'error' as String failed."],
    ['93 07 C0 C0', "Reading 'allowReconnect' as Boolean failed."],
    ['93 07 C0 01', "Reading 'allowReconnect' as Boolean failed."],
    // Ack / Sequence
    ['91 08', 'Invalid payload for Ack message.'],
    ['91 09', 'Invalid payload for Sequence message.'],
    ['92 08 A1 31', "Reading 'sequenceId' as Int64 failed."],
    ['92 09 CB 3F F8 00 00 00 00 00 00', "Reading 'sequenceId' as Int64 failed."],
    ['92 09 CF FF FF FF FF FF FF FF FF', "Reading 'sequenceId' as Int64 failed."],
  ];
  for (const [body, message] of invalid) {
    assertRejects(framed(body), ProtocolErrorCode.InvalidMessage, message, body);
  }
});

test('a message from another MessagePack writer with a non-string map key is read as a string key', () => {
  // .NET peers may send Dictionary<int, T> payloads; maps decode to plain objects.
  const protocol = new MessagePackHubProtocol();
  const { messages } = protocol.parseMessages(framed(`94 02 80 ${XYZ} 81 01 A3 6F 6E 65`));
  assert.deepEqual(messages, [
    { type: 2, invocationId: 'xyz', item: { 1: 'one' } },
  ]);
});
