/**
 * Hand-built WebSocket upgrade requests and frames (RFC 6455 §5.2), valid or not, and fast-check
 * arbitraries for hostile frame sequences: fragmentation gone wrong, lengths that lie, invalid UTF-8,
 * reserved opcodes and bits, unmasked client frames, oversized control frames, bad close codes.
 */
import { randomBytes } from 'node:crypto';
import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { frameMessagePack } from './raw-hub-client.js';

export interface Frame {
  readonly fin: boolean;
  /** RSV1-3 as a 3-bit number (must be 0 without extensions). */
  readonly rsv: number;
  readonly opcode: number;
  /** Clients must mask; an unmasked frame is a protocol error. */
  readonly masked: boolean;
  readonly payload: Uint8Array;
  /** The length the header claims, when it lies about the payload. */
  readonly declaredLength?: number;
}

export function encodeFrame(frame: Frame): Buffer {
  const length = frame.declaredLength ?? frame.payload.length;
  const head: number[] = [(frame.fin ? 0x80 : 0) | ((frame.rsv & 7) << 4) | (frame.opcode & 0x0f)];
  const maskBit = frame.masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...size);
  }
  const payload = Buffer.from(frame.payload);
  if (!frame.masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
  return Buffer.concat([Buffer.from(head), key, payload]);
}

/** A well-formed client frame. */
export const dataFrame = (opcode: number, payload: Uint8Array | string, fin = true): Frame => ({
  fin,
  rsv: 0,
  opcode,
  masked: true,
  payload: typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload,
});

export interface UpgradeMutation {
  readonly method: string;
  readonly key: string | undefined;
  readonly version: string | undefined;
  readonly extraHeaders: readonly string[];
}

export const validUpgrade: UpgradeMutation = { method: 'GET', key: randomBytes(16).toString('base64'), version: '13', extraHeaders: [] };

/** The HTTP upgrade request for `target` (`/hub?id=…`), possibly mutated. */
export function upgradeRequest(target: string, mutation: UpgradeMutation = validUpgrade): Buffer {
  const lines = [`${mutation.method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade'];
  if (mutation.key !== undefined) lines.push(`Sec-WebSocket-Key: ${mutation.key}`);
  if (mutation.version !== undefined) lines.push(`Sec-WebSocket-Version: ${mutation.version}`);
  lines.push(...mutation.extraHeaders);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

export const upgradeMutation: fc.Arbitrary<UpgradeMutation> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(validUpgrade) },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT'),
      key: fc.option(fc.oneof(fc.constant(validUpgrade.key!), fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''))), { nil: undefined }),
      version: fc.option(fc.constantFrom('13', '8', '', '99', 'x'), { nil: undefined }),
      extraHeaders: fc.subarray([
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits',
        'Sec-WebSocket-Protocol: a, b, ,',
        'Origin: http://evil.example',
        'Accept: text/event-stream',
      ]),
    }),
  },
);

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const invalidUtf8 = fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xff]));

/** What a text or binary message may carry: hub handshakes, JSON, garbage. */
export const messagePayload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constant(utf8('{"protocol":"json","version":1}\x1e')),
  fc.constant(utf8('{"protocol":"messagepack","version":1}\x1e')),
  fc.constant(utf8('{"protocol":"json","version":2}\x1e')),
  fc.jsonValue({ maxDepth: 3 }).map((value) => utf8(`${JSON.stringify(value)}\x1e`)),
  fc.jsonValue({ maxDepth: 2 }).map((value) => utf8(`${JSON.stringify({ type: 1, target: 'echo', invocationId: '1', arguments: [value] })}\x1e`)),
  fc.tuple(fc.integer({ min: -1, max: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([type, value]) => utf8(`${JSON.stringify({ type, sequenceId: value, invocationId: value })}\x1e`)),
  // Hub messages of the right shape with values of the wrong types, in both protocols.
  fc.record({ type: fc.integer({ min: -1, max: 12 }), target: fc.jsonValue({ maxDepth: 1 }), arguments: fc.jsonValue({ maxDepth: 2 }), invocationId: fc.jsonValue({ maxDepth: 1 }), streamIds: fc.jsonValue({ maxDepth: 1 }), item: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: ['type'] })
    .map((message) => utf8(`${JSON.stringify(message)}\x1e`)),
  fc.tuple(fc.integer({ min: -1, max: 12 }), fc.array(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.uint8Array({ maxLength: 8 })), { maxLength: 6 }))
    .map(([type, rest]) => frameMessagePack(encode([type, ...rest]))),
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ maxLength: 200 }).map(utf8),
);

/** One hostile (or, now and then, valid) step: a frame or a few frames. */
export const frameSteps: fc.Arbitrary<Frame[]> = fc.oneof(
  // Whole messages, text and binary.
  fc.tuple(fc.constantFrom(1, 2), messagePayload).map(([opcode, payload]) => [dataFrame(opcode, payload)]),
  // A fragmented message, valid, with a ping in the middle.
  fc.tuple(messagePayload, fc.integer({ min: 2, max: 5 }), fc.boolean()).map(([payload, parts, ping]) => {
    const size = Math.max(1, Math.ceil(payload.length / parts));
    const frames: Frame[] = [];
    for (let at = 0, i = 0; at < payload.length || i === 0; at += size, i++) {
      frames.push(dataFrame(i === 0 ? 1 : 0, payload.subarray(at, at + size), at + size >= payload.length));
      if (ping && i === 0) frames.push(dataFrame(9, 'p'));
    }
    return frames;
  }),
  // Continuation without a start; a new message before the fragmented one ended.
  messagePayload.map((payload) => [dataFrame(0, payload)]),
  fc.tuple(messagePayload, messagePayload).map(([a, b]) => [dataFrame(1, a, false), dataFrame(2, b)]),
  // Invalid UTF-8 in a text frame, whole or split across fragments.
  invalidUtf8.map((bytes) => [dataFrame(1, bytes)]),
  invalidUtf8.map((bytes) => [dataFrame(1, bytes.subarray(0, 1), false), dataFrame(0, bytes.subarray(1))]),
  // Reserved opcodes and RSV bits.
  fc.tuple(fc.constantFrom(3, 4, 5, 6, 7, 11, 12, 13, 14, 15), fc.uint8Array({ maxLength: 20 })).map(([opcode, payload]) => [dataFrame(opcode, payload)]),
  fc.tuple(fc.integer({ min: 1, max: 7 }), messagePayload).map(([rsv, payload]) => [{ ...dataFrame(1, payload), rsv }]),
  // Unmasked client frames.
  fc.tuple(fc.constantFrom(1, 2, 8, 9), messagePayload).map(([opcode, payload]) => [{ ...dataFrame(opcode, payload.subarray(0, opcode >= 8 ? 125 : undefined)), masked: false }]),
  // Lengths that lie: huge (beyond the 64 KiB limit, up to 2^53), or more than follows.
  fc.tuple(fc.constantFrom(1, 2, 0), fc.oneof(fc.integer({ min: 65_537, max: 2 ** 31 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: 200 }))).map(([opcode, declaredLength]) => [
    { ...dataFrame(opcode, utf8('{"protocol":"json"')), declaredLength },
  ]),
  // Control frames longer than 125 bytes, or fragmented.
  fc.tuple(fc.constantFrom(8, 9, 10), fc.integer({ min: 126, max: 1000 })).map(([opcode, size]) => [dataFrame(opcode, new Uint8Array(size))]),
  fc.constantFrom(9, 10).map((opcode) => [dataFrame(opcode, 'x', false)]),
  // Pings and pongs, valid.
  fc.tuple(fc.constantFrom(9, 10), fc.uint8Array({ maxLength: 125 })).map(([opcode, payload]) => [dataFrame(opcode, payload)]),
  // Close frames: any code (reserved, out of range), a 1-byte payload, an invalid UTF-8 reason.
  fc.integer({ min: 0, max: 65_535 }).map((code) => [dataFrame(8, Buffer.from([code >> 8, code & 0xff]))]),
  fc.constant(null).map(() => [dataFrame(8, Buffer.from([3]))]),
  invalidUtf8.map((reason) => [dataFrame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), reason]))]),
  // Raw garbage instead of a frame header.
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => [{ fin: true, rsv: 0, opcode: 0, masked: false, payload: bytes, declaredLength: -1 }]),
);

/** Bytes of a step list; a `declaredLength` of -1 marks raw garbage written as is. */
export function encodeSteps(steps: readonly Frame[]): Buffer[] {
  return steps.map((frame) => (frame.declaredLength === -1 ? Buffer.from(frame.payload) : encodeFrame(frame)));
}
