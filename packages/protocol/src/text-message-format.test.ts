import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolErrorCode } from './errors.js';
import { RECORD_SEPARATOR, exceedsUtf8Length, forEachRecord, splitRecords, utf8ByteLength, writeRecord } from './text-message-format.js';
import { assertProtocolError, text, utf8 } from './test-support/assert-protocol-error.js';

const RS = '\u001e';

/** splitRecords on either kind of input (its overloads take one kind at a time). */
function split(input: Uint8Array | string, maxRecordSize: number): unknown {
  return typeof input === 'string' ? splitRecords(input, { maxRecordSize }) : splitRecords(input, { maxRecordSize });
}

test('writeRecord appends 0x1E to bytes (as a copy) and to strings', () => {
  const payload = utf8('{}');
  const framed = writeRecord(payload);
  assert.deepEqual([...framed], [0x7b, 0x7d, RECORD_SEPARATOR]);
  framed[0] = 0;
  assert.equal(payload[0], 0x7b);
  assert.equal(writeRecord('{}'), `{}${RS}`);
  assert.deepEqual([...writeRecord(new Uint8Array(0))], [0x1e]);
});

test('splitRecords returns every complete byte record and the unfinished rest', () => {
  const { records, rest } = splitRecords(utf8(`{"a":1}${RS}{}${RS}{"b"`));
  assert.deepEqual(records.map(text), ['{"a":1}', '{}']);
  assert.equal(text(rest), '{"b"');
});

test('splitRecords on bytes returns views of the input, not copies', () => {
  const input = utf8(`ab${RS}cd`);
  const { records, rest } = splitRecords(input);
  assert.equal(records[0]?.buffer, input.buffer);
  assert.equal(rest.buffer, input.buffer);
  assert.equal(rest.byteOffset, 3);
});

test('splitRecords handles empty input, a lone separator and input without separator', () => {
  assert.deepEqual(splitRecords(new Uint8Array(0)).records, []);
  assert.equal(splitRecords(new Uint8Array(0)).rest.length, 0);
  const lone = splitRecords(utf8(RS));
  assert.deepEqual(lone.records.map(text), ['']);
  assert.equal(lone.rest.length, 0);
  const partial = splitRecords(utf8('{"type":'));
  assert.deepEqual(partial.records, []);
  assert.equal(text(partial.rest), '{"type":');
  assert.deepEqual(splitRecords(`a${RS}${RS}b`), { records: ['a', ''], rest: 'b' });
});

test('splitRecords works on strings the same way', () => {
  assert.deepEqual(splitRecords(`{"a":1}${RS}{}${RS}{"b"`), { records: ['{"a":1}', '{}'], rest: '{"b"' });
  assert.deepEqual(splitRecords(`x${RS}`), { records: ['x'], rest: '' });
  assert.deepEqual(splitRecords(''), { records: [], rest: '' });
});

test('maxRecordSize counts the separator: a record plus 0x1E of exactly the limit passes, one byte more is refused', () => {
  assert.deepEqual(splitRecords(utf8(`abcd${RS}`), { maxRecordSize: 5 }).records.map(text), ['abcd']);
  assert.deepEqual(splitRecords(`abcd${RS}`, { maxRecordSize: 5 }).records, ['abcd']);
  for (const input of [utf8(`abcd${RS}`), `abcd${RS}`, utf8(`ab${RS}abcd${RS}`), `ab${RS}abcd${RS}`]) {
    assertProtocolError(() => split(input, 4), ProtocolErrorCode.MessageTooLarge,
      'The maximum message size of 4B was exceeded.');
  }
  // The empty record still takes its separator.
  assert.deepEqual(splitRecords(RS, { maxRecordSize: 1 }).records, ['']);
  assertProtocolError(() => splitRecords(RS, { maxRecordSize: 0 }), ProtocolErrorCode.MessageTooLarge,
    'The maximum message size of 0B was exceeded.');
});

test('maxRecordSize refuses an unfinished rest as soon as it can no longer fit with its separator', () => {
  assert.equal(splitRecords(utf8('abcd'), { maxRecordSize: 5 }).rest.length, 4);
  assert.equal(splitRecords('abcd', { maxRecordSize: 5 }).rest, 'abcd');
  for (const input of [utf8('abcde'), 'abcde', utf8(`ab${RS}abcde`), `ab${RS}abcde`]) {
    assertProtocolError(() => split(input, 5), ProtocolErrorCode.MessageTooLarge,
      'The maximum message size of 5B was exceeded.');
  }
  // Nothing buffered is nothing to refuse, whatever the limit.
  assert.equal(splitRecords(utf8(`ab${RS}`), { maxRecordSize: 3 }).rest.length, 0);
  assert.equal(splitRecords('', { maxRecordSize: 0 }).rest, '');
});

test('maxRecordSize counts UTF-8 bytes for string records, not UTF-16 units', () => {
  // 'é' is one unit, two bytes; '😀' is two units, four bytes.
  assert.deepEqual(splitRecords(`éé${RS}`, { maxRecordSize: 5 }).records, ['éé']);
  assertProtocolError(() => splitRecords(`ééé${RS}`, { maxRecordSize: 6 }), ProtocolErrorCode.MessageTooLarge,
    'The maximum message size of 6B was exceeded.');
  assert.deepEqual(splitRecords(`😀${RS}`, { maxRecordSize: 5 }).records, ['😀']);
  assertProtocolError(() => splitRecords(`😀${RS}`, { maxRecordSize: 4 }), ProtocolErrorCode.MessageTooLarge,
    'The maximum message size of 4B was exceeded.');
  assertProtocolError(() => splitRecords('€€', { maxRecordSize: 6 }), ProtocolErrorCode.MessageTooLarge,
    'The maximum message size of 6B was exceeded.');
});

test('forEachRecord hands over each record before the next one is size-checked', () => {
  const tooLarge = 'The maximum message size of 4B was exceeded.';
  const fromBytes: string[] = [];
  assertProtocolError(
    () => forEachRecord(utf8(`a${RS}b${RS}toolong${RS}c${RS}`), { maxRecordSize: 4 }, (record) => fromBytes.push(text(record))),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
  assert.deepEqual(fromBytes, ['a', 'b']);
  const fromText: string[] = [];
  assertProtocolError(
    () => forEachRecord(`a${RS}b${RS}toolong${RS}c${RS}`, { maxRecordSize: 4 }, (record) => fromText.push(record)),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
  assert.deepEqual(fromText, ['a', 'b']);
  const records: Uint8Array[] = [];
  const rest = forEachRecord(utf8(`a${RS}bc`), undefined, (record) => records.push(record));
  assert.deepEqual(records.map(text), ['a']);
  assert.equal(text(rest), 'bc');
});

test('utf8ByteLength matches TextEncoder, including lone surrogates', () => {
  const samples = ['', 'abc', 'é', '€', '😀', 'a😀b', '\ud800', '\udc00', '\ud800a', 'x\udbff', '\udc00\ud800', '\u07ff\u0800'];
  for (const sample of samples) {
    assert.equal(utf8ByteLength(sample), utf8(sample).length, JSON.stringify(sample));
    for (let max = 0; max <= 12; max++) {
      assert.equal(exceedsUtf8Length(sample, max), utf8(sample).length > max, `${JSON.stringify(sample)} ${max}`);
    }
  }
});
