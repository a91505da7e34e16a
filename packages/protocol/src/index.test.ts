import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from './index.js';

test('the package index exposes the JSON protocol, the handshake and the framing', () => {
  const protocol: api.HubProtocol = new api.JsonHubProtocol();
  const handshake = api.parseHandshakeRequest(api.writeHandshakeRequest({ protocol: protocol.name, version: 1 }));
  assert.deepEqual(handshake?.request, { protocol: 'json', version: 1 });
  assert.deepEqual(protocol.parseMessages(api.writeRecord('{"type":6}')).messages, [{ type: api.MessageType.Ping }]);
  assert.equal(api.writeHandshakeResponseText({}), '{}\u001e');
  assert.deepEqual(api.parseHandshakeResponse('{}\u001e'), { response: {}, rest: '' });
  assert.equal(api.splitRecords('a\u001eb').rest, 'b');
  assert.equal(api.encodeBase64(new Uint8Array([1])), 'AQ==');
  assert.equal(api.formatDate(new Date(0)), '1970-01-01T00:00:00Z');
  assert.equal(api.createMessageTooLargeError(1).code, api.ProtocolErrorCode.MessageTooLarge);
  assert.equal(typeof api.withMessagesBeforeError, 'function');
  assert.equal(typeof api.forEachRecord, 'function');
  assert.equal(typeof api.forEachBinaryFrame, 'function');
});
