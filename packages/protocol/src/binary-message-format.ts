/**
 * Length-prefixed framing used by binary hub protocols (MessagePack): every message is
 * `[VarInt length][body]`. The VarInt is little-endian base-128 (7 bits per byte, high bit = "more
 * bytes follow"), at most 5 bytes, so a body is at most 2^31 - 1 bytes, as in .NET's
 * BinaryMessageFormatter/BinaryMessageParser and the official client's BinaryMessageFormat.
 */
import type { ParseOptions } from './hub-protocol.js';
import { ProtocolError, ProtocolErrorCode, createMessageTooLargeError } from './errors.js';

/** Largest body a 5-byte VarInt prefix can describe (2^31 - 1 bytes). */
export const MAX_BINARY_MESSAGE_SIZE = 0x7fff_ffff;

/** The longest VarInt length prefix, in bytes. */
const MAX_LENGTH_PREFIX_BYTES = 5;

/** Complete bodies found in an input, and the bytes of an incomplete trailing frame. */
export interface BinaryFrames {
  /** Each complete body, as a view into the input (no copy), in order. */
  readonly bodies: Uint8Array[];
  /** The unconsumed remainder (a view into the input); empty when every frame was complete. */
  readonly rest: Uint8Array;
}

/** How many bytes the VarInt prefix of a body of `bodyLength` bytes takes (1 to 5). */
export function lengthPrefixSize(bodyLength: number): number {
  assertEncodableLength(bodyLength);
  if (bodyLength < 0x80) return 1;
  if (bodyLength < 0x4000) return 2;
  if (bodyLength < 0x20_0000) return 3;
  if (bodyLength < 0x1000_0000) return 4;
  return 5;
}

/**
 * Writes the VarInt prefix for a body of `bodyLength` bytes into `target` at `offset`.
 * Lets a codec encode prefix and body into one buffer it allocates itself.
 * @returns the number of prefix bytes written.
 */
export function writeLengthPrefix(bodyLength: number, target: Uint8Array, offset: number): number {
  assertEncodableLength(bodyLength);
  let remaining = bodyLength;
  let position = offset;
  while (remaining >= 0x80) {
    target[position++] = (remaining & 0x7f) | 0x80;
    // Unsigned shift: lengths up to 2^31 - 1 never reach the sign bit, but stay explicit about it.
    remaining >>>= 7;
  }
  target[position++] = remaining;
  return position - offset;
}

/** Returns a new buffer holding the VarInt prefix followed by a copy of `body`. */
export function writeBinaryFrame(body: Uint8Array): Uint8Array {
  const prefixSize = lengthPrefixSize(body.byteLength);
  const frame = new Uint8Array(prefixSize + body.byteLength);
  writeLengthPrefix(body.byteLength, frame, 0);
  frame.set(body, prefixSize);
  return frame;
}

/**
 * Splits `input` into complete bodies and the remainder of a trailing partial frame (which may end
 * inside the prefix itself). Returns views, never copies.
 *
 * @throws {ProtocolError} `ERR_PROTOCOL_INVALID_FRAME` for a prefix that cannot be valid;
 *   `ERR_PROTOCOL_MESSAGE_TOO_LARGE` as soon as a prefix declares a frame (prefix plus body) larger than
 *   `options.maxMessageSize`, before the body has arrived, so a peer cannot make the caller buffer an
 *   endless frame.
 */
export function parseBinaryFrames(input: Uint8Array, options?: ParseOptions): BinaryFrames {
  const bodies: Uint8Array[] = [];
  const rest = forEachBinaryFrame(input, options, (body) => bodies.push(body));
  return { bodies, rest };
}

/**
 * Calls `visit` with each complete body of `input`, in order, and returns the remainder of a trailing
 * partial frame (a view, like the bodies). Unlike {@link parseBinaryFrames}, a body is handled before the
 * next prefix is checked, so when a later frame is refused (or `visit` throws) the earlier ones have
 * already been seen, as .NET reads them.
 * @throws {ProtocolError} as {@link parseBinaryFrames}.
 */
export function forEachBinaryFrame(input: Uint8Array, options: ParseOptions | undefined, visit: (body: Uint8Array) => void): Uint8Array {
  const maxMessageSize = options?.maxMessageSize;
  const end = input.byteLength;
  let offset = 0;

  while (offset < end) {
    // Decode the prefix byte by byte; multiplication instead of shifts keeps every step a positive number.
    let size = 0;
    let multiplier = 1;
    let prefixBytes = 0;
    let byte = 0x80;
    while ((byte & 0x80) !== 0 && prefixBytes < MAX_LENGTH_PREFIX_BYTES && offset + prefixBytes < end) {
      byte = input[offset + prefixBytes] ?? 0;
      size += (byte & 0x7f) * multiplier;
      multiplier *= 0x80;
      prefixBytes++;
    }

    if ((byte & 0x80) !== 0) {
      if (prefixBytes === MAX_LENGTH_PREFIX_BYTES) {
        throw new ProtocolError(ProtocolErrorCode.InvalidFrame, 'Cannot read message size.');
      }
      // The frame needs at least one more prefix byte: if that is already over the limit, fail now.
      if (maxMessageSize !== undefined && prefixBytes >= maxMessageSize) throw createMessageTooLargeError(maxMessageSize);
      // The input ends inside the prefix: wait for more bytes.
      break;
    }
    if (prefixBytes === MAX_LENGTH_PREFIX_BYTES && byte > 0x07) {
      throw new ProtocolError(ProtocolErrorCode.InvalidFrame, 'Messages bigger than 2GB are not supported.');
    }
    // The limit counts the prefix too, as .NET's MaximumReceiveMessageSize does.
    if (maxMessageSize !== undefined && prefixBytes + size > maxMessageSize) {
      throw createMessageTooLargeError(maxMessageSize);
    }

    const bodyStart = offset + prefixBytes;
    const bodyEnd = bodyStart + size;
    if (bodyEnd > end) break;
    visit(input.subarray(bodyStart, bodyEnd));
    offset = bodyEnd;
  }

  return input.subarray(offset);
}

function assertEncodableLength(bodyLength: number): void {
  if (!Number.isInteger(bodyLength) || bodyLength < 0) {
    throw new ProtocolError(ProtocolErrorCode.InvalidFrame, `Invalid message length: ${bodyLength}.`);
  }
  if (bodyLength > MAX_BINARY_MESSAGE_SIZE) {
    throw new ProtocolError(ProtocolErrorCode.InvalidFrame, 'Messages bigger than 2GB are not supported.');
  }
}
