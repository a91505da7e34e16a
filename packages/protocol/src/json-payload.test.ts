import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { encodeBase64 } from './base64.js';
import { ProtocolErrorCode } from './errors.js';
import { formatDate, stringifyPayload } from './json-payload.js';

test('encodeBase64 matches Buffer for every padding case and across chunk boundaries', () => {
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) & 0xff);
  for (let length = 0; length <= 70; length++) {
    const slice = bytes.subarray(0, length);
    assert.equal(encodeBase64(slice), Buffer.from(slice).toString('base64'), `length ${length}`);
  }
  assert.equal(encodeBase64(bytes), Buffer.from(bytes).toString('base64'));
  assert.equal(encodeBase64(bytes.subarray(3, 13)), Buffer.from(bytes.subarray(3, 13)).toString('base64'));
  assert.equal(encodeBase64(new Uint8Array([0xff, 0xfe, 0xfd])), '//79');
});

test('formatDate writes .NET round-trip UTC text without trailing zero fraction digits', () => {
  assert.equal(formatDate(new Date(Date.UTC(2000, 0, 1))), '2000-01-01T00:00:00Z');
  assert.equal(formatDate(new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 123))), '2000-01-01T00:00:00.123Z');
  assert.equal(formatDate(new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 120))), '2000-01-01T00:00:00.12Z');
  assert.equal(formatDate(new Date(Date.UTC(2000, 0, 1, 0, 0, 0, 100))), '2000-01-01T00:00:00.1Z');
  assert.equal(formatDate(new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 5))), '1999-12-31T23:59:59.005Z');
  assert.equal(formatDate(new Date(Number.NaN)), null);
});

test('stringifyPayload maps bytes and dates at any depth, and leaves other values to JSON', () => {
  const date = new Date(Date.UTC(2000, 0, 1, 12, 30, 0, 500));
  assert.equal(stringifyPayload(new Uint8Array([1, 2, 3])), '"AQID"');
  assert.equal(stringifyPayload(date), '"2000-01-01T12:30:00.5Z"');
  assert.equal(
    stringifyPayload([1, 'a', null, { at: date, data: new Uint8Array([255]), nested: [[Buffer.from('hi')]] }]),
    '[1,"a",null,{"at":"2000-01-01T12:30:00.5Z","data":"/w==","nested":[["aGk="]]}]',
  );
  assert.equal(stringifyPayload({ a: [1, { b: true }], c: 'x' }), '{"a":[1,{"b":true}],"c":"x"}');
  assert.equal(stringifyPayload([new Date(Number.NaN)]), '[null]');
});

test('stringifyPayload finds values deeper than its quick scan looks', () => {
  let deep: unknown = new Uint8Array([1]);
  for (let i = 0; i < 50; i++) deep = [deep];
  assert.equal(stringifyPayload(deep), `${'['.repeat(50)}"AQ=="${']'.repeat(50)}`);
});

test('stringifyPayload honours toJSON, and maps bytes a toJSON returns', () => {
  const custom = { toJSON: () => ({ kind: 'custom' }) };
  const bytesInside = { toJSON: () => new Uint8Array([1, 2]) };
  assert.equal(stringifyPayload([custom, bytesInside]), '[{"kind":"custom"},"AQI="]');
});

test('stringifyPayload never returns undefined: a lone undefined, function or symbol is null', () => {
  assert.equal(stringifyPayload(undefined), 'null');
  assert.equal(stringifyPayload(() => 1), 'null');
  assert.equal(stringifyPayload(Symbol('s')), 'null');
  assert.equal(stringifyPayload([undefined]), '[null]');
});

test('stringifyPayload reports cycles and bigints as unserializable values', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.throws(() => stringifyPayload([cyclic]), { code: ProtocolErrorCode.UnserializableValue });
  assert.throws(() => stringifyPayload({ n: 1n }), {
    name: 'InvalidDataException',
    code: ProtocolErrorCode.UnserializableValue,
    message: /^The value cannot be serialized as JSON: .*BigInt/,
  });
});
