import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type HubMessage } from './hub-message.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { text, utf8 } from './test-support/assert-protocol-error.js';

const RS = '\u001e';
const protocol = new JsonHubProtocol();

/** Parses `frame` as a string and as bytes; both must give the same messages and rest. */
function parseBoth(frame: string): { messages: HubMessage[]; rest: string } {
  const fromText = protocol.parseMessages(frame);
  const fromBytes = protocol.parseMessages(utf8(frame));
  assert.deepEqual(fromBytes.messages, fromText.messages);
  assert.equal(text(fromBytes.rest), text(fromText.rest));
  return { messages: fromText.messages, rest: text(fromText.rest) };
}

function parseOne(record: string): HubMessage {
  const { messages, rest } = parseBoth(`${record}${RS}`);
  assert.equal(rest, '');
  assert.equal(messages.length, 1);
  return messages[0]!;
}

test('declares name json, version 2, text transfer format', () => {
  assert.equal(protocol.name, 'json');
  assert.equal(protocol.version, 2);
  assert.equal(protocol.transferFormat, 'Text');
});

test('reads each of the nine message types', () => {
  const fixtures: [string, HubMessage][] = [
    ['{"type":1,"target":"send","arguments":[1,"a",null]}', { type: 1, target: 'send', arguments: [1, 'a', null] }],
    [
      '{"type":1,"invocationId":"0","target":"upload","arguments":[],"streamIds":["1","2"]}',
      { type: 1, invocationId: '0', target: 'upload', arguments: [], streamIds: ['1', '2'] },
    ],
    ['{"type":2,"invocationId":"4","item":{"a":[1]}}', { type: 2, invocationId: '4', item: { a: [1] } }],
    ['{"type":2,"invocationId":"4","item":null}', { type: 2, invocationId: '4', item: null }],
    ['{"type":3,"invocationId":"5","result":42}', { type: 3, invocationId: '5', result: 42 }],
    ['{"type":3,"invocationId":"5","result":null}', { type: 3, invocationId: '5', result: null }],
    ['{"type":3,"invocationId":"5","error":"boom"}', { type: 3, invocationId: '5', error: 'boom' }],
    ['{"type":3,"invocationId":"5"}', { type: 3, invocationId: '5' }],
    ['{"type":3,"invocationId":"5","error":""}', { type: 3, invocationId: '5' }],
    [
      '{"type":4,"invocationId":"6","target":"counter","arguments":[10,5]}',
      { type: 4, invocationId: '6', target: 'counter', arguments: [10, 5] },
    ],
    [
      '{"type":4,"invocationId":"6","target":"t","arguments":[],"streamIds":[]}',
      { type: 4, invocationId: '6', target: 't', arguments: [], streamIds: [] },
    ],
    ['{"type":5,"invocationId":"6"}', { type: 5, invocationId: '6' }],
    ['{"type":6}', { type: 6 }],
    ['{"type":7}', { type: 7 }],
    ['{"type":7,"error":"Connection closed with an error.","allowReconnect":true}',
      { type: 7, error: 'Connection closed with an error.', allowReconnect: true }],
    ['{"type":7,"error":"","allowReconnect":false}', { type: 7, error: '' }],
    ['{"type":8,"sequenceId":36}', { type: 8, sequenceId: 36 }],
    ['{"type":9,"sequenceId":19}', { type: 9, sequenceId: 19 }],
  ];
  for (const [record, expected] of fixtures) assert.deepEqual(parseOne(record), expected, record);
});

test('reads headers on invocation-like messages, dropping an empty headers object', () => {
  assert.deepEqual(parseOne('{"type":5,"invocationId":"1","headers":{"traceparent":"00-ab-cd-01","x":""}}'), {
    type: 5,
    invocationId: '1',
    headers: { traceparent: '00-ab-cd-01', x: '' },
  });
  assert.deepEqual(parseOne('{"type":1,"target":"t","arguments":[],"headers":{}}'), { type: 1, target: 't', arguments: [] });
});

test('reads properties in any order, as the official client writes type last', () => {
  assert.deepEqual(parseOne('{"target":"send","arguments":["hi"],"invocationId":"0","type":1}'), {
    type: 1,
    invocationId: '0',
    target: 'send',
    arguments: ['hi'],
  });
  assert.deepEqual(parseOne('{"result":"r","invocationId":"3","type":3}'), { type: 3, invocationId: '3', result: 'r' });
  assert.deepEqual(parseOne('{"item":[],"type":2,"invocationId":"1"}'), { type: 2, invocationId: '1', item: [] });
  assert.deepEqual(parseOne(' {"allowReconnect":true,"type":7} '), { type: 7, allowReconnect: true });
});

test('ignores unknown properties and does not carry them into the message', () => {
  assert.deepEqual(parseOne('{"type":6,"future":{"x":[1,2]},"invocationId":5}'), { type: 6 });
  assert.deepEqual(parseOne('{"type":1,"target":"t","arguments":[],"nonce":"n","__proto__":{"polluted":1}}'), {
    type: 1,
    target: 't',
    arguments: [],
  });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('an empty invocation id means a non-blocking invocation', () => {
  assert.deepEqual(parseOne('{"type":1,"invocationId":"","target":"t","arguments":[]}'), {
    type: 1,
    target: 't',
    arguments: [],
  });
});

test('skips unknown message types instead of failing', () => {
  const { messages } = parseBoth(`{"type":6}${RS}{"type":42,"anything":true}${RS}{"type":0}${RS}{"type":-1}${RS}{"type":7}${RS}`);
  assert.deepEqual(messages, [{ type: MessageType.Ping }, { type: MessageType.Close }]);
});

test('reads several messages from one frame, in order', () => {
  const frame =
    `{"type":1,"invocationId":"0","target":"a","arguments":[]}${RS}` +
    `{"type":2,"invocationId":"0","item":1}${RS}{"type":6}${RS}{"type":3,"invocationId":"0"}${RS}`;
  assert.deepEqual(parseBoth(frame), {
    messages: [
      { type: 1, invocationId: '0', target: 'a', arguments: [] },
      { type: 2, invocationId: '0', item: 1 },
      { type: 6 },
      { type: 3, invocationId: '0' },
    ],
    rest: '',
  });
});

test('returns an unfinished record as rest and reads it once completed', () => {
  const first = parseBoth(`{"type":6}${RS}{"type":2,"invocationId":"1","it`);
  assert.deepEqual(first, { messages: [{ type: 6 }], rest: '{"type":2,"invocationId":"1","it' });
  assert.deepEqual(parseBoth(`${first.rest}em":"é"}${RS}`).messages, [{ type: 2, invocationId: '1', item: 'é' }]);
  assert.deepEqual(parseBoth('{"type":'), { messages: [], rest: '{"type":' });
  assert.deepEqual(parseBoth(''), { messages: [], rest: '' });
});

test('byte input: rest is a view of the input; a split multi-byte character stays in rest', () => {
  const bytes = utf8(`{"type":6}${RS}{"type":2,"invocationId":"1","item":"€"}${RS}`);
  const cut = bytes.length - 4; // inside the 3-byte "€"
  const { messages, rest } = protocol.parseMessages(bytes.subarray(0, cut));
  assert.deepEqual(messages, [{ type: 6 }]);
  assert.equal(rest.buffer, bytes.buffer);
  const joined = new Uint8Array(rest.length + bytes.length - cut);
  joined.set(rest);
  joined.set(bytes.subarray(cut), rest.length);
  assert.deepEqual(protocol.parseMessages(joined).messages, [{ type: 2, invocationId: '1', item: '€' }]);
});

test('payload strings stay strings: base64 and dates are bound by the hub, not the codec', () => {
  assert.deepEqual(parseOne('{"type":1,"target":"t","arguments":["AQID","2000-01-01T00:00:00Z"]}'), {
    type: 1,
    target: 't',
    arguments: ['AQID', '2000-01-01T00:00:00Z'],
  });
});
