import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, ProtocolErrorCode, isProtocolError } from './errors.js';

test('ProtocolError carries a stable code and the .NET exception name', () => {
  const error = new ProtocolError(ProtocolErrorCode.InvalidMessage, "Missing required property 'type'.");
  assert.equal(error.code, 'ERR_PROTOCOL_INVALID_MESSAGE');
  assert.equal(error.name, 'InvalidDataException');
  assert.ok(isProtocolError(error));
  assert.ok(!isProtocolError(new Error('x')));
});
