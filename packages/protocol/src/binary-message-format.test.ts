import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type BinaryFrames,
  forEachBinaryFrame,
  MAX_BINARY_MESSAGE_SIZE,
  lengthPrefixSize,
  parseBinaryFrames,
  writeBinaryFrame,
  writeLengthPrefix,
} from './binary-message-format.js';
import { ProtocolError, ProtocolErrorCode } from './errors.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

function prefixOf(length: number): number[] {
  const target = new Uint8Array(5);
  const written = writeLengthPrefix(length, target, 0);
  return [...target.subarray(0, written)];
}

function assertProtocolError(fn: () => unknown, code: ProtocolErrorCode, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

test('VarInt prefixes match the spec and the .NET formatter at every width boundary', () => {
  const cases: [number, number[]][] = [
    [0, [0x00]],
    [11, [0x0b]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [5248, [0x80, 0x29]],
    [16383, [0xff, 0x7f]],
    [16384, [0x80, 0x80, 0x01]],
    [2 ** 21 - 1, [0xff, 0xff, 0x7f]],
    [2 ** 21, [0x80, 0x80, 0x80, 0x01]],
    [2 ** 28 - 1, [0xff, 0xff, 0xff, 0x7f]],
    [2 ** 28, [0x80, 0x80, 0x80, 0x80, 0x01]],
    [MAX_BINARY_MESSAGE_SIZE, [0xff, 0xff, 0xff, 0xff, 0x07]],
  ];
  for (const [length, expected] of cases) {
    assert.deepEqual(prefixOf(length), expected, `prefix of ${length}`);
    assert.equal(lengthPrefixSize(length), expected.length, `prefix size of ${length}`);
  }
});

test('writeLengthPrefix writes at the given offset and reports its width', () => {
  const target = new Uint8Array(4).fill(0xee);
  assert.equal(writeLengthPrefix(5248, target, 1), 2);
  assert.deepEqual([...target], [0xee, 0x80, 0x29, 0xee]);
});

test('lengths that no prefix can carry are rejected', () => {
  assertProtocolError(() => lengthPrefixSize(MAX_BINARY_MESSAGE_SIZE + 1), ProtocolErrorCode.InvalidFrame,
    'Messages bigger than 2GB are not supported.');
  assertProtocolError(() => lengthPrefixSize(-1), ProtocolErrorCode.InvalidFrame, 'Invalid message length: -1.');
  assertProtocolError(() => lengthPrefixSize(1.5), ProtocolErrorCode.InvalidFrame, 'Invalid message length: 1.5.');
});

test('writeBinaryFrame prepends the prefix to a copy of the body', () => {
  const body = bytes(0x91, 0x06);
  const frame = writeBinaryFrame(body);
  assert.deepEqual([...frame], [0x02, 0x91, 0x06]);
  body[0] = 0;
  assert.equal(frame[1], 0x91, 'the frame does not alias the body');

  const large = new Uint8Array(5248).fill(7);
  const largeFrame = writeBinaryFrame(large);
  assert.equal(largeFrame.byteLength, 5250);
  assert.deepEqual([...largeFrame.subarray(0, 3)], [0x80, 0x29, 7]);
  assert.deepEqual(writeBinaryFrame(new Uint8Array(0)), bytes(0x00));
});

test('parse splits several frames and returns views into the input', () => {
  const input = bytes(0x02, 0x91, 0x06, 0x00, 0x03, 0x01, 0x02, 0x03);
  const { bodies, rest } = parseBinaryFrames(input);
  assert.deepEqual(bodies.map((b) => [...b]), [[0x91, 0x06], [], [0x01, 0x02, 0x03]]);
  assert.equal(rest.byteLength, 0);
  assert.equal(bodies[0]?.buffer, input.buffer, 'bodies are views, not copies');
  assert.equal(bodies[2]?.byteOffset, 5);
});

test('a partial body is returned as rest, from the start of its prefix', () => {
  const input = bytes(0x02, 0x91, 0x06, 0x03, 0x01);
  const { bodies, rest } = parseBinaryFrames(input);
  assert.deepEqual(bodies.map((b) => [...b]), [[0x91, 0x06]]);
  assert.deepEqual([...rest], [0x03, 0x01]);
  assert.equal(rest.buffer, input.buffer);
  assert.equal(rest.byteOffset, 3);
});

test('a prefix cut short is returned as rest', () => {
  for (const partial of [[0x80], [0x80, 0x80], [0xff, 0xff, 0xff], [0xff, 0xff, 0xff, 0xff]]) {
    const { bodies, rest } = parseBinaryFrames(bytes(0x00, ...partial));
    assert.equal(bodies.length, 1);
    assert.deepEqual([...rest], partial);
  }
});

test('frames reassemble when the input arrives one byte at a time', () => {
  const bodies = [new Uint8Array(0), new Uint8Array(300).fill(1), bytes(0x91, 0x06)];
  const wire = Uint8Array.from(bodies.flatMap((b) => [...writeBinaryFrame(b)]));
  const received: number[][] = [];
  let buffered: Uint8Array = new Uint8Array(0);
  for (const byte of wire) {
    const joined = new Uint8Array(buffered.byteLength + 1);
    joined.set(buffered);
    joined[buffered.byteLength] = byte;
    const result = parseBinaryFrames(joined);
    received.push(...result.bodies.map((b) => [...b]));
    buffered = result.rest;
  }
  assert.deepEqual(received, bodies.map((b) => [...b]));
  assert.equal(buffered.byteLength, 0);
});

test('empty input yields nothing', () => {
  const { bodies, rest } = parseBinaryFrames(new Uint8Array(0));
  assert.deepEqual(bodies, []);
  assert.equal(rest.byteLength, 0);
});

test('the largest prefix is accepted and waits for its body', () => {
  const { bodies, rest } = parseBinaryFrames(bytes(0xff, 0xff, 0xff, 0xff, 0x07, 0x01));
  assert.equal(bodies.length, 0);
  assert.equal(rest.byteLength, 6);
});

test('a 5-byte prefix whose last byte still continues cannot be read', () => {
  assertProtocolError(() => parseBinaryFrames(bytes(0x80, 0x80, 0x80, 0x80, 0x80)), ProtocolErrorCode.InvalidFrame,
    'Cannot read message size.');
  assertProtocolError(() => parseBinaryFrames(bytes(0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00)),
    ProtocolErrorCode.InvalidFrame, 'Cannot read message size.');
});

test('a 5-byte prefix above 2^31 - 1 is rejected', () => {
  assertProtocolError(() => parseBinaryFrames(bytes(0xff, 0xff, 0xff, 0xff, 0x08)), ProtocolErrorCode.InvalidFrame,
    'Messages bigger than 2GB are not supported.');
  assertProtocolError(() => parseBinaryFrames(bytes(0x80, 0x80, 0x80, 0x80, 0x7f)), ProtocolErrorCode.InvalidFrame,
    'Messages bigger than 2GB are not supported.');
});

test('maxMessageSize rejects a frame as soon as its prefix is read, before the body arrives', () => {
  // 5248 declared behind a 2-byte prefix (5250 in all), only two body bytes present.
  assertProtocolError(() => parseBinaryFrames(bytes(0x80, 0x29, 0x01, 0x02), { maxMessageSize: 5249 }),
    ProtocolErrorCode.MessageTooLarge, 'The maximum message size of 5249B was exceeded.');
  assert.equal(parseBinaryFrames(bytes(0x80, 0x29, 0x01, 0x02), { maxMessageSize: 5250 }).rest.length, 4);
  // A complete frame over the limit, after a frame within it.
  assertProtocolError(() => parseBinaryFrames(bytes(0x01, 0xc0, 0x03, 1, 2, 3), { maxMessageSize: 3 }),
    ProtocolErrorCode.MessageTooLarge, 'The maximum message size of 3B was exceeded.');
  // A prefix that has not ended yet needs one more byte than has arrived.
  assert.equal(parseBinaryFrames(bytes(0x80, 0x80), { maxMessageSize: 3 }).rest.length, 2);
  assertProtocolError(() => parseBinaryFrames(bytes(0x80, 0x80), { maxMessageSize: 2 }),
    ProtocolErrorCode.MessageTooLarge, 'The maximum message size of 2B was exceeded.');
});

test('maxMessageSize counts the prefix too: prefix plus body of exactly the limit passes, one byte more is refused', () => {
  const { bodies } = parseBinaryFrames(bytes(0x03, 1, 2, 3), { maxMessageSize: 4 });
  assert.deepEqual(bodies.map((b) => [...b]), [[1, 2, 3]]);
  assertProtocolError(() => parseBinaryFrames(bytes(0x03, 1, 2, 3), { maxMessageSize: 3 }),
    ProtocolErrorCode.MessageTooLarge, 'The maximum message size of 3B was exceeded.');
  // 32765 bytes behind a 3-byte prefix is exactly .NET's default limit of 32768; one more byte is over it.
  for (const [bodyLength, accepted] of [[32_765, true], [32_766, false]] as const) {
    const frame = writeBinaryFrame(new Uint8Array(bodyLength));
    if (accepted) assert.equal(parseBinaryFrames(frame, { maxMessageSize: 32_768 }).bodies.length, 1);
    else {
      assertProtocolError(() => parseBinaryFrames(frame, { maxMessageSize: 32_768 }),
        ProtocolErrorCode.MessageTooLarge, 'The maximum message size of 32768B was exceeded.');
    }
  }
  assert.equal(parseBinaryFrames(bytes(0x00), { maxMessageSize: 1 }).bodies.length, 1);
  assertProtocolError(() => parseBinaryFrames(bytes(0x00), { maxMessageSize: 0 }),
    ProtocolErrorCode.MessageTooLarge, 'The maximum message size of 0B was exceeded.');
});

test('forEachBinaryFrame hands over each body before the next frame is checked', () => {
  const seen: number[][] = [];
  assertProtocolError(
    () => forEachBinaryFrame(bytes(0x01, 7, 0x01, 8, 0x05, 1, 2, 3, 4, 5), { maxMessageSize: 3 }, (body) => seen.push([...body])),
    ProtocolErrorCode.MessageTooLarge, 'The maximum message size of 3B was exceeded.');
  assert.deepEqual(seen, [[7], [8]]);
  const rest = forEachBinaryFrame(bytes(0x01, 7, 0x02, 1), undefined, (body) => seen.push([...body]));
  assert.deepEqual(seen, [[7], [8], [7]]);
  assert.deepEqual([...rest], [0x02, 1]);
});

test('property: any split of framed bodies reassembles to the same bodies', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 400 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (bodies, cutSeeds) => {
        const wire = concat(bodies.map((b) => writeBinaryFrame(b)));
        const cuts = [...new Set(cutSeeds.map((seed) => seed % (wire.byteLength + 1)))].sort((a, b) => a - b);
        const received: Uint8Array[] = [];
        let buffered: Uint8Array = new Uint8Array(0);
        let start = 0;
        for (const cut of [...cuts, wire.byteLength]) {
          const result = parseBinaryFrames(concat([buffered, wire.subarray(start, cut)]));
          received.push(...result.bodies);
          buffered = result.rest;
          start = cut;
        }
        assert.deepEqual(received.map((b) => [...b]), bodies.map((b) => [...b]));
        assert.equal(buffered.byteLength, 0);
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: arbitrary bytes give bodies and rest that account for every byte, or a ProtocolError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.option(fc.nat({ max: 64 }), { nil: undefined }), (input, max) => {
      let frames: BinaryFrames;
      try {
        frames = parseBinaryFrames(input, { maxMessageSize: max });
      } catch (error) {
        assert.ok(error instanceof ProtocolError, `unexpected ${String(error)}`);
        return;
      }
      const { bodies, rest } = frames;
      const consumed = bodies.reduce((sum, b) => sum + lengthPrefixSize(b.byteLength) + b.byteLength, 0);
      // Non-minimal prefixes (e.g. 0x80 0x00) are legal, so the minimal re-encoding can only be shorter.
      assert.ok(consumed + rest.byteLength <= input.byteLength);
      assert.equal(rest.byteOffset + rest.byteLength, input.byteOffset + input.byteLength);
      for (const body of bodies) assert.ok(max === undefined || body.byteLength <= max);
    }),
    { numRuns: 5000 },
  );
});

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
