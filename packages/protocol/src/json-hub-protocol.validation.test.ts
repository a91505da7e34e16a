import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolErrorCode, type ProtocolErrorCode as Code } from './errors.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { assertProtocolError, utf8 } from './test-support/assert-protocol-error.js';

const RS = '\u001e';
const protocol = new JsonHubProtocol();
const { InvalidMessage, InvalidPayload, MessageTooLarge } = ProtocolErrorCode;

/**
 * The record must fail the same way as text and as bytes, alone and after a valid message, which the
 * error then carries, and whatever follows the bad record is not read.
 */
function assertRejected(record: string, code: Code, message: string): void {
  const cases = [
    { frame: `${record}${RS}`, before: [] },
    { frame: `{"type":6}${RS}${record}${RS}{"type":6}${RS}`, before: [{ type: 6 }] },
  ];
  for (const { frame, before } of cases) {
    assert.deepEqual(assertProtocolError(() => protocol.parseMessages(frame), code, message).messagesBeforeError, before);
    assert.deepEqual(assertProtocolError(() => protocol.parseMessages(utf8(frame)), code, message).messagesBeforeError, before);
  }
}

test('rejects records without a usable type, with .NET texts', () => {
  assertRejected('{}', InvalidMessage, "Missing required property 'type'.");
  assertRejected('{"target":"t","arguments":[]}', InvalidMessage, "Missing required property 'type'.");
  assertRejected('{"type":"1"}', InvalidMessage, "Expected 'type' to be of type Number.");
  assertRejected('{"type":null}', InvalidMessage, "Expected 'type' to be of type Number.");
  assertRejected('{"type":1.5}', InvalidMessage, "Expected 'type' to be an integer.");
});

test('rejects invalid Invocation and StreamInvocation messages', () => {
  for (const type of [1, 4]) {
    assertRejected(`{"type":${type},"invocationId":"1","arguments":[]}`, InvalidMessage, "Missing required property 'target'.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"","arguments":[]}`, InvalidMessage, "Missing required property 'target'.");
    assertRejected(`{"type":${type},"invocationId":"1","target":7,"arguments":[]}`, InvalidMessage, "Expected 'target' to be of type String.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t"}`, InvalidMessage, "Missing required property 'arguments'.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t","arguments":{}}`, InvalidMessage, "Expected 'arguments' to be of type Array.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t","arguments":null}`, InvalidMessage, "Expected 'arguments' to be of type Array.");
    assertRejected(`{"type":${type},"invocationId":1,"target":"t","arguments":[]}`, InvalidMessage, "Expected 'invocationId' to be of type String.");
    assertRejected(`{"type":${type},"invocationId":null,"target":"t","arguments":[]}`, InvalidMessage, "Expected 'invocationId' to be of type String.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t","arguments":[],"streamIds":"1"}`, InvalidMessage, "Expected 'streamIds' to be of type Array.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t","arguments":[],"streamIds":[null]}`, InvalidMessage, "Null value for 'streamIds' is not valid.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t","arguments":[],"streamIds":[1]}`, InvalidMessage, "Expected 'streamIds' to contain only strings.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t","arguments":[],"headers":[]}`, InvalidMessage, "Expected 'headers' to be of type Object.");
    assertRejected(`{"type":${type},"invocationId":"1","target":"t","arguments":[],"headers":{"a":1}}`, InvalidMessage, "Expected header 'a' to be of type String.");
  }
  // A stream invocation needs an id to stream back to.
  assertRejected('{"type":4,"target":"t","arguments":[]}', InvalidMessage, "Missing required property 'invocationId'.");
  assertRejected('{"type":4,"invocationId":"","target":"t","arguments":[]}', InvalidMessage, "Missing required property 'invocationId'.");
});

test('rejects invalid StreamItem messages', () => {
  assertRejected('{"type":2,"item":1}', InvalidMessage, "Missing required property 'invocationId'.");
  assertRejected('{"type":2,"invocationId":"","item":1}', InvalidMessage, "Missing required property 'invocationId'.");
  assertRejected('{"type":2,"invocationId":"1"}', InvalidMessage, "Missing required property 'item'.");
  assertRejected('{"type":2,"invocationId":"1","item":1,"headers":null}', InvalidMessage, "Expected 'headers' to be of type Object.");
});

test('rejects invalid Completion messages', () => {
  assertRejected('{"type":3,"result":1}', InvalidMessage, "Missing required property 'invocationId'.");
  assertRejected('{"type":3,"invocationId":"","result":1}', InvalidMessage, "Missing required property 'invocationId'.");
  assertRejected('{"type":3,"invocationId":"1","error":"e","result":1}', InvalidMessage, "The 'error' and 'result' properties are mutually exclusive.");
  assertRejected('{"type":3,"invocationId":"1","result":null,"error":""}', InvalidMessage, "The 'error' and 'result' properties are mutually exclusive.");
  assertRejected('{"type":3,"invocationId":"1","error":{}}', InvalidMessage, "Expected 'error' to be of type String.");
});

test('rejects invalid CancelInvocation, Close, Ack and Sequence messages', () => {
  assertRejected('{"type":5}', InvalidMessage, "Missing required property 'invocationId'.");
  assertRejected('{"type":5,"invocationId":""}', InvalidMessage, "Missing required property 'invocationId'.");
  assertRejected('{"type":7,"error":5}', InvalidMessage, "Expected 'error' to be of type String.");
  assertRejected('{"type":7,"allowReconnect":"true"}', InvalidMessage, "Expected 'allowReconnect' to be true or false.");
  for (const type of [8, 9]) {
    assertRejected(`{"type":${type}}`, InvalidMessage, "Missing required property 'sequenceId'.");
    assertRejected(`{"type":${type},"sequenceId":null}`, InvalidMessage, "Missing required property 'sequenceId'.");
    assertRejected(`{"type":${type},"sequenceId":"1"}`, InvalidMessage, "Expected 'sequenceId' to be of type Number.");
    assertRejected(`{"type":${type},"sequenceId":1.5}`, InvalidMessage, "Expected 'sequenceId' to be an integer.");
  }
});

test('rejects JSON that is not an object', () => {
  assertRejected('[1]', InvalidMessage, "Unexpected JSON Token Type 'Array'. Expected a JSON Object.");
  assertRejected('6', InvalidMessage, "Unexpected JSON Token Type 'Number'. Expected a JSON Object.");
  assertRejected('"x"', InvalidMessage, "Unexpected JSON Token Type 'String'. Expected a JSON Object.");
  assertRejected('true', InvalidMessage, "Unexpected JSON Token Type 'True'. Expected a JSON Object.");
  assertRejected('null', InvalidMessage, "Unexpected JSON Token Type 'Null'. Expected a JSON Object.");
});

test('rejects text that is not JSON, and an empty record', () => {
  assertRejected('{"type":6', InvalidPayload, 'Error reading JSON.');
  assertRejected("{'type':6}", InvalidPayload, 'Error reading JSON.');
  assertRejected('{"type":6}}', InvalidPayload, 'Error reading JSON.');
  assertRejected('', InvalidPayload, 'Unexpected end when reading JSON.');
});

test('rejects bytes that are not UTF-8', () => {
  const samples = [
    [0xff],
    [0xc3, 0x28], // a lead byte followed by ASCII
    [0xed, 0xa0, 0x80], // an encoded surrogate
    [0xc0, 0xaf], // an overlong "/"
  ];
  for (const bad of samples) {
    const frame = new Uint8Array([...utf8('{"type":2,"invocationId":"1","item":"'), ...bad, ...utf8(`"}${RS}`)]);
    assertProtocolError(() => protocol.parseMessages(frame), InvalidPayload, 'The message is not valid UTF-8.');
  }
});

test('maxMessageSize counts the separator: a record plus 0x1E of exactly the limit passes, one byte more is refused', () => {
  const record = '{"type":2,"invocationId":"1","item":"é"}'; // 40 characters, 41 bytes, 42 with its separator
  const tooLarge = 'The maximum message size of 41B was exceeded.';
  for (const input of [`${record}${RS}`, utf8(`${record}${RS}`)]) {
    assert.equal(protocol.parseMessages(input, { maxMessageSize: 42 }).messages.length, 1);
    assertProtocolError(() => protocol.parseMessages(input, { maxMessageSize: 41 }), MessageTooLarge, tooLarge);
  }
  // Unfinished: 41 bytes may still become a 42-byte message, but never one of 41.
  for (const input of [record, utf8(record)]) {
    assert.equal(protocol.parseMessages(input, { maxMessageSize: 42 }).rest.length, 41);
    assertProtocolError(() => protocol.parseMessages(input, { maxMessageSize: 41 }), MessageTooLarge, tooLarge);
  }
  // .NET's default of 32768: a record of 32767 bytes fits with its separator, 32768 does not.
  const padded = (length: number): string => `{"type":6,"x":"${'x'.repeat(length - 17)}"}`;
  assert.equal(padded(32_767).length, 32_767);
  assert.equal(protocol.parseMessages(`${padded(32_767)}${RS}`, { maxMessageSize: 32_768 }).messages.length, 1);
  assertProtocolError(() => protocol.parseMessages(utf8(`${padded(32_768)}${RS}`), { maxMessageSize: 32_768 }), MessageTooLarge,
    'The maximum message size of 32768B was exceeded.');
  // Small messages around a large limit pass; the limit is per message, not per frame.
  const many = `{"type":6}${RS}`.repeat(100);
  assert.equal(protocol.parseMessages(many, { maxMessageSize: 11 }).messages.length, 100);
});

test('the messages before a bad record travel on the error, in order', () => {
  const invocation = { type: 1, invocationId: '1', target: 'echo', arguments: [1] };
  const valid = `${JSON.stringify(invocation)}${RS}{"type":6}${RS}`;
  for (const input of [`${valid}garbage${RS}`, utf8(`${valid}garbage${RS}`)]) {
    const error = assertProtocolError(() => protocol.parseMessages(input), InvalidPayload, 'Error reading JSON.');
    assert.deepEqual(error.messagesBeforeError, [invocation, { type: 6 }]);
  }
  // A record over the limit, complete or not, and bytes that are not UTF-8, keep them too.
  const tooLarge = 'The maximum message size of 100B was exceeded.';
  const long = `{"type":6,"x":"${'x'.repeat(100)}"}`;
  for (const input of [`${valid}${long}${RS}`, `${valid}${long}`, utf8(`${valid}${long}${RS}`), utf8(`${valid}${long}`)]) {
    const error = assertProtocolError(() => protocol.parseMessages(input, { maxMessageSize: 100 }), MessageTooLarge, tooLarge);
    assert.deepEqual(error.messagesBeforeError, [invocation, { type: 6 }]);
  }
  const notUtf8 = Uint8Array.from([...utf8(valid), 0xc3, 0x28, 0x1e]);
  const error = assertProtocolError(() => protocol.parseMessages(notUtf8), InvalidPayload, 'The message is not valid UTF-8.');
  assert.deepEqual(error.messagesBeforeError, [invocation, { type: 6 }]);
  // Skipped unknown types are not messages.
  assert.deepEqual(
    assertProtocolError(() => protocol.parseMessages(`{"type":99}${RS}{${RS}`), InvalidPayload, 'Error reading JSON.').messagesBeforeError,
    [],
  );
});
