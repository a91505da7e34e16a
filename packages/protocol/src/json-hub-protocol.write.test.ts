import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolErrorCode } from './errors.js';
import type { HubMessage } from './hub-message.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { assertProtocolError, text } from './test-support/assert-protocol-error.js';

const RS = '\u001e';
const protocol = new JsonHubProtocol();

/** Writes `message` both ways and checks that bytes and text agree; returns the text without separator. */
function write(message: HubMessage): string {
  const written = protocol.writeText(message);
  assert.equal(text(protocol.writeMessage(message)), written);
  assert.ok(written.endsWith(RS));
  return written.slice(0, -1);
}

test('writes each of the nine message types in .NET property order', () => {
  const fixtures: [HubMessage, string][] = [
    [{ type: 1, target: 'send', arguments: [1, 'a', null] }, '{"type":1,"target":"send","arguments":[1,"a",null]}'],
    [
      { type: 1, invocationId: '0', target: 'upload', arguments: [], streamIds: ['1'] },
      '{"type":1,"invocationId":"0","target":"upload","arguments":[],"streamIds":["1"]}',
    ],
    [{ type: 2, invocationId: '4', item: { a: [1] } }, '{"type":2,"invocationId":"4","item":{"a":[1]}}'],
    [{ type: 3, invocationId: '5', result: 42 }, '{"type":3,"invocationId":"5","result":42}'],
    [{ type: 3, invocationId: '5', error: 'boom' }, '{"type":3,"invocationId":"5","error":"boom"}'],
    [{ type: 3, invocationId: '5' }, '{"type":3,"invocationId":"5"}'],
    [
      { type: 4, invocationId: '6', target: 'counter', arguments: [10], streamIds: [] },
      '{"type":4,"invocationId":"6","target":"counter","arguments":[10],"streamIds":[]}',
    ],
    [{ type: 5, invocationId: '6' }, '{"type":5,"invocationId":"6"}'],
    [{ type: 6 }, '{"type":6}'],
    [{ type: 7 }, '{"type":7}'],
    [{ type: 7, error: 'Connection closed with an error.', allowReconnect: true },
      '{"type":7,"error":"Connection closed with an error.","allowReconnect":true}'],
    [{ type: 8, sequenceId: 36 }, '{"type":8,"sequenceId":36}'],
    [{ type: 9, sequenceId: 19 }, '{"type":9,"sequenceId":19}'],
  ];
  for (const [message, expected] of fixtures) assert.equal(write(message), expected);
});

test('omits an undefined or empty invocation id', () => {
  assert.equal(write({ type: 1, invocationId: '', target: 't', arguments: [] }), '{"type":1,"target":"t","arguments":[]}');
  assert.equal(write({ type: 1, invocationId: undefined, target: 't', arguments: [] }), '{"type":1,"target":"t","arguments":[]}');
});

test('always writes item and arguments, null for undefined values', () => {
  assert.equal(write({ type: 2, invocationId: '1', item: undefined }), '{"type":2,"invocationId":"1","item":null}');
  assert.equal(write({ type: 2, invocationId: '1', item: null }), '{"type":2,"invocationId":"1","item":null}');
  assert.equal(write({ type: 1, target: 't', arguments: [undefined, null] }), '{"type":1,"target":"t","arguments":[null,null]}');
});

test('Completion: a non-empty error wins, result null is written, result undefined is not', () => {
  assert.equal(write({ type: 3, invocationId: '1', result: null }), '{"type":3,"invocationId":"1","result":null}');
  assert.equal(write({ type: 3, invocationId: '1', result: undefined }), '{"type":3,"invocationId":"1"}');
  assert.equal(write({ type: 3, invocationId: '1', error: 'e', result: 1 }), '{"type":3,"invocationId":"1","error":"e"}');
  assert.equal(write({ type: 3, invocationId: '1', error: '', result: 1 }), '{"type":3,"invocationId":"1","result":1}');
  assert.equal(write({ type: 3, invocationId: '1', result: false }), '{"type":3,"invocationId":"1","result":false}');
});

test('Close: error when defined (even empty), allowReconnect only when true', () => {
  assert.equal(write({ type: 7, error: '' }), '{"type":7,"error":""}');
  assert.equal(write({ type: 7, allowReconnect: false }), '{"type":7}');
  assert.equal(write({ type: 7, allowReconnect: true }), '{"type":7,"allowReconnect":true}');
});

test('writes headers only when non-empty, right after type', () => {
  assert.equal(write({ type: 5, invocationId: '1', headers: {} }), '{"type":5,"invocationId":"1"}');
  assert.equal(
    write({ type: 2, invocationId: '1', item: 1, headers: { traceparent: 't' } }),
    '{"type":2,"headers":{"traceparent":"t"},"invocationId":"1","item":1}',
  );
});

test('maps Uint8Array to base64 and Date to .NET DateTime text in every payload position', () => {
  const date = new Date(Date.UTC(2000, 0, 1));
  const bytes = new Uint8Array([1, 2, 3]);
  assert.equal(
    write({ type: 1, target: 't', arguments: [bytes, date, { when: new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 123)) }] }),
    '{"type":1,"target":"t","arguments":["AQID","2000-01-01T00:00:00Z",{"when":"2000-01-01T00:00:00.123Z"}]}',
  );
  assert.equal(write({ type: 2, invocationId: '1', item: bytes }), '{"type":2,"invocationId":"1","item":"AQID"}');
  assert.equal(write({ type: 3, invocationId: '1', result: date }), '{"type":3,"invocationId":"1","result":"2000-01-01T00:00:00Z"}');
});

test('escapes strings so any text survives, and encodes non-ASCII as UTF-8', () => {
  const target = 'quote" backslash\\ nl\n rs\u001e é 😀';
  const written = protocol.writeMessage({ type: 1, target, arguments: [] });
  // The record separator inside a string is escaped, so exactly one 0x1E ends the frame.
  assert.equal(written.indexOf(0x1e), written.length - 1);
  assert.deepEqual(protocol.parseMessages(written).messages, [{ type: 1, target, arguments: [] }]);
});

test('an unserializable payload is a coded error, an unknown type too', () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => protocol.writeMessage({ type: 2, invocationId: '1', item: cyclic }), {
    code: ProtocolErrorCode.UnserializableValue,
  });
  assertProtocolError(
    () => protocol.writeText({ type: 99 } as unknown as HubMessage),
    ProtocolErrorCode.InvalidMessage,
    'Unsupported message type: 99.',
  );
});
