/** Small helpers of a hub session's input: joining split records and shaping parse failures into errors. */
import { ProtocolErrorCode, isProtocolError } from '@switchyard/protocol';
import { messageTooLarge } from './error-messages.js';

export function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head, 0);
  joined.set(tail, head.length);
  return joined;
}

/** The error a parse failure closes the connection with; an oversized message gets .NET's exact text. */
export function inputError(error: unknown, maxBytes: number | null): Error {
  if (isProtocolError(error) && error.code === ProtocolErrorCode.MessageTooLarge && maxBytes !== null) {
    const tooLarge = new Error(messageTooLarge(maxBytes));
    tooLarge.name = 'InvalidDataException';
    return tooLarge;
  }
  return toError(error);
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
