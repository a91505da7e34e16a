import assert from 'node:assert/strict';
import { ProtocolError, type ProtocolErrorCode } from '../errors.js';

/** Asserts that `action` throws a ProtocolError with exactly this code and message, and returns it. */
export function assertProtocolError(action: () => unknown, code: ProtocolErrorCode, message: string): ProtocolError {
  let thrown: unknown = 'nothing';
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof ProtocolError, `expected a ProtocolError, got ${String(thrown)}`);
  assert.equal(thrown.code, code);
  assert.equal(thrown.message, message);
  return thrown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `value`. */
export function utf8(value: string): Uint8Array {
  return encoder.encode(value);
}

/** `bytes` decoded as UTF-8 (lenient: for assertions only). */
export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
