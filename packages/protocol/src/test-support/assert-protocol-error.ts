import assert from 'node:assert/strict';
import { ProtocolError, type ProtocolErrorCode } from '../errors.js';

/** Asserts that `action` throws a ProtocolError with exactly this code and message. */
export function assertProtocolError(action: () => unknown, code: ProtocolErrorCode, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
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
