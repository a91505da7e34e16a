// Property-based tests: valid messages round-trip through any split of the byte stream, and no input,
// however broken, makes the parser throw anything but a ProtocolError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Encoder } from '@msgpack/msgpack';
import { ProtocolError, ProtocolErrorCode, writeBinaryFrame, type ParseResult } from '@switchyard/protocol';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
import { concat } from './test-support/bytes.js';
import { hubMessageArb, valueArb } from './test-support/hub-message-arbitraries.js';

const protocol = new MessagePackHubProtocol();

/** Parses, and fails the property if anything other than a ProtocolError escapes. */
function parseOrProtocolError(input: Uint8Array, maxMessageSize?: number): ParseResult | ProtocolError {
  try {
    return protocol.parseMessages(input, { maxMessageSize });
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    assert.fail(`parseMessages threw a non-protocol error: ${String(error)}`);
  }
}

const messagesArb = fc.array(hubMessageArb, { minLength: 1, maxLength: 5 });

test('property: messages round-trip through write and parse', () => {
  fc.assert(
    fc.property(messagesArb, (messages) => {
      const { messages: parsed, rest } = protocol.parseMessages(concat(messages.map((m) => protocol.writeMessage(m))));
      assert.deepEqual(parsed, messages);
      assert.equal(rest.byteLength, 0);
    }),
    { numRuns: 1000 },
  );
});

test('property: a stream cut anywhere yields the same messages once every piece has arrived', () => {
  fc.assert(
    fc.property(messagesArb, fc.array(fc.nat(), { maxLength: 6 }), (messages, cutSeeds) => {
      const wire = concat(messages.map((m) => protocol.writeMessage(m)));
      const cuts = [...new Set(cutSeeds.map((seed) => seed % (wire.byteLength + 1)))].sort((a, b) => a - b);
      const received = [];
      let buffered: Uint8Array = new Uint8Array(0);
      let start = 0;
      for (const cut of [...cuts, wire.byteLength]) {
        const result = protocol.parseMessages(concat([buffered, wire.subarray(start, cut)]));
        received.push(...result.messages);
        buffered = result.rest;
        start = cut;
      }
      assert.deepEqual(received, messages);
      assert.equal(buffered.byteLength, 0);
    }),
    { numRuns: 500 },
  );
});

test('property: a truncated stream is never an error: complete messages, then the partial frame as rest', () => {
  fc.assert(
    fc.property(messagesArb, fc.nat(), (messages, seed) => {
      const frames = messages.map((m) => protocol.writeMessage(m));
      const wire = concat(frames);
      const cut = seed % wire.byteLength;
      const { messages: parsed, rest } = protocol.parseMessages(wire.subarray(0, cut));
      let complete = 0;
      let end = 0;
      while (complete < frames.length && end + (frames[complete]?.byteLength ?? 0) <= cut) {
        end += frames[complete]?.byteLength ?? 0;
        complete++;
      }
      assert.deepEqual(parsed, messages.slice(0, complete));
      assert.equal(rest.byteLength, cut - end);
    }),
    { numRuns: 1000 },
  );
});

test('property: random bytes give messages and rest, or a ProtocolError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 96 }), fc.option(fc.nat({ max: 96 }), { nil: undefined }), (input, max) => {
      parseOrProtocolError(input, max);
    }),
    { numRuns: 5000 },
  );
});

test('property: random framed bodies reach the decoder and fail only as payload or message errors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
      const result = parseOrProtocolError(writeBinaryFrame(body));
      if (result instanceof ProtocolError) {
        assert.ok(
          result.code === ProtocolErrorCode.InvalidPayload || result.code === ProtocolErrorCode.InvalidMessage,
          result.code,
        );
      }
    }),
    { numRuns: 5000 },
  );
});

test('property: well-formed MessagePack arrays of any shape are messages, skipped, or invalid messages', () => {
  // A known or nearby message type followed by arbitrary values exercises every field check.
  const encoder = new Encoder();
  const header = fc.oneof(fc.integer({ min: -1, max: 11 }), valueArb);
  fc.assert(
    fc.property(header, fc.array(fc.oneof(valueArb, fc.constant({}), idArbLike()), { maxLength: 7 }), (type, rest) => {
      const result = parseOrProtocolError(writeBinaryFrame(encoder.encode([type, ...rest])));
      if (result instanceof ProtocolError) assert.equal(result.code, ProtocolErrorCode.InvalidMessage, result.message);
    }),
    { numRuns: 5000 },
  );
});

test('property: valid streams with bytes flipped, inserted or removed never escape as other errors', () => {
  const mutation = fc.record({
    kind: fc.constantFrom('flip', 'insert', 'remove'),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  });
  fc.assert(
    fc.property(messagesArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (messages, mutations) => {
      const bytes = [...concat(messages.map((m) => protocol.writeMessage(m)))];
      for (const { kind, at, byte } of mutations) {
        const index = at % (bytes.length + 1);
        if (kind === 'insert') bytes.splice(index, 0, byte);
        else if (index < bytes.length) {
          if (kind === 'flip') bytes[index] = byte;
          else bytes.splice(index, 1);
        }
      }
      parseOrProtocolError(Uint8Array.from(bytes));
      parseOrProtocolError(Uint8Array.from(bytes), 64);
    }),
    { numRuns: 3000 },
  );
});

/** Strings shaped like ids and targets (including the empty string), to reach the checks past them. */
function idArbLike(): fc.Arbitrary<string> {
  return fc.oneof(fc.constant(''), fc.string({ maxLength: 4 }));
}

test('property: maxMessageSize accepts a frame exactly when prefix and body fit', () => {
  fc.assert(
    fc.property(hubMessageArb, fc.integer({ min: -2, max: 2 }), (message, delta) => {
      const frame = protocol.writeMessage(message);
      const result = parseOrProtocolError(frame, frame.byteLength + delta);
      if (delta >= 0) assert.ok(!(result instanceof ProtocolError), result instanceof ProtocolError ? result.message : '');
      else assert.ok(result instanceof ProtocolError && result.code === ProtocolErrorCode.MessageTooLarge, 'expected MessageTooLarge');
    }),
    { numRuns: 1000 },
  );
});

test('property: a bad frame after valid messages throws with exactly those messages on the error', () => {
  const bad = fc.constantFrom(
    writeBinaryFrame(Uint8Array.of(0xc1)),
    writeBinaryFrame(Uint8Array.of(0x91, 0x01)),
    writeBinaryFrame(new Uint8Array(0)),
    Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80),
  );
  fc.assert(
    fc.property(fc.array(hubMessageArb, { maxLength: 4 }), bad, hubMessageArb, (messages, badFrame, after) => {
      const input = concat([...messages.map((m) => protocol.writeMessage(m)), badFrame, protocol.writeMessage(after)]);
      const result = parseOrProtocolError(input);
      assert.ok(result instanceof ProtocolError, 'expected a ProtocolError');
      assert.deepEqual(result.messagesBeforeError, messages);
    }),
    { numRuns: 1000 },
  );
});
