import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, ProtocolErrorCode, isProtocolError, withMessagesBeforeError } from './errors.js';

test('ProtocolError carries a stable code and the .NET exception name', () => {
  const error = new ProtocolError(ProtocolErrorCode.InvalidMessage, "Missing required property 'type'.");
  assert.equal(error.code, 'ERR_PROTOCOL_INVALID_MESSAGE');
  assert.equal(error.name, 'InvalidDataException');
  assert.ok(isProtocolError(error));
  assert.ok(!isProtocolError(new Error('x')));
});

test('a ProtocolError carries no messages unless a codec read some before the bad input', () => {
  const cause = new SyntaxError('bad');
  const error = new ProtocolError(ProtocolErrorCode.InvalidPayload, 'Error reading JSON.', { cause });
  assert.deepEqual(error.messagesBeforeError, []);
  assert.equal(withMessagesBeforeError(error, []), error);

  const withMessages = withMessagesBeforeError(error, [{ type: 6 }]);
  assert.ok(withMessages instanceof ProtocolError);
  assert.deepEqual(withMessages.messagesBeforeError, [{ type: 6 }]);
  assert.equal(withMessages.code, error.code);
  assert.equal(withMessages.message, error.message);
  assert.equal(withMessages.cause, cause);
  assert.equal(withMessages.stack, error.stack);

  // Anything else passes through untouched (codecs never throw it, but a rethrow must not hide it).
  const other = new TypeError('x');
  assert.equal(withMessagesBeforeError(other, [{ type: 6 }]), other);
  assert.equal('cause' in new ProtocolError(ProtocolErrorCode.InvalidMessage, 'x'), false);
});
