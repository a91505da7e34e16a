import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ProtocolErrorCode } from './errors.js';
import {
  parseHandshakeRequest,
  parseHandshakeResponse,
  writeHandshakeRequest,
  writeHandshakeRequestText,
  writeHandshakeResponse,
  writeHandshakeResponseText,
} from './handshake.js';
import { assertProtocolError, text, utf8 } from './test-support/assert-protocol-error.js';

const RS = '\u001e';
const INVALID = ProtocolErrorCode.InvalidHandshake;

/** The official client's handshake codec: not exported from the package index, so loaded by path. */
interface OfficialHandshakeProtocol {
  writeHandshakeRequest(request: { protocol: string; version: number }): string;
  parseHandshakeResponse(data: unknown): [unknown, { error?: string }];
}
const official = (
  createRequire(import.meta.url)('@microsoft/signalr/dist/cjs/HandshakeProtocol.js') as {
    HandshakeProtocol: new () => OfficialHandshakeProtocol;
  }
).HandshakeProtocol;

test('writeHandshakeRequest writes exactly what the official client writes', () => {
  const expected = `{"protocol":"json","version":1}${RS}`;
  assert.equal(writeHandshakeRequestText({ protocol: 'json', version: 1 }), expected);
  assert.equal(text(writeHandshakeRequest({ protocol: 'json', version: 1 })), expected);
  for (const request of [{ protocol: 'messagepack', version: 2 }, { protocol: 'json', version: 2 }]) {
    assert.equal(writeHandshakeRequestText(request), new official().writeHandshakeRequest(request));
  }
  // Only the two fields are written, in this order, whatever else the object holds.
  const extra = { version: 1, protocol: 'json', token: 'secret' };
  assert.equal(writeHandshakeRequestText(extra), expected);
});

test('writeHandshakeResponse writes {} on success and {"error":…} on failure', () => {
  assert.equal(writeHandshakeResponseText({}), `{}${RS}`);
  assert.equal(writeHandshakeResponseText({ error: '' }), `{}${RS}`);
  assert.equal(
    writeHandshakeResponseText({ error: "The protocol 'x' is not supported." }),
    `{"error":"The protocol 'x' is not supported."}${RS}`,
  );
  assert.deepEqual([...writeHandshakeResponse({})], [0x7b, 0x7d, 0x1e]);
  assert.equal(text(writeHandshakeResponse({ error: 'é"' })), `{"error":"é\\""}${RS}`);
});

test('parseHandshakeRequest reads bytes and returns what follows as a view', () => {
  const input = utf8(`{"protocol":"messagepack","version":1}${RS}\u0091\u0006`);
  const parsed = parseHandshakeRequest(input);
  assert.ok(parsed);
  assert.deepEqual(parsed.request, { protocol: 'messagepack', version: 1 });
  assert.equal(parsed.rest.buffer, input.buffer);
  assert.equal(text(parsed.rest), '\u0091\u0006');
});

test('parseHandshakeRequest reads text and returns a text rest', () => {
  const parsed = parseHandshakeRequest(`{"version":2,"protocol":"json","extra":[1,{}]}${RS}{"type":6}${RS}`);
  assert.deepEqual(parsed, { request: { protocol: 'json', version: 2 }, rest: `{"type":6}${RS}` });
  assert.deepEqual(parseHandshakeRequest(`{"protocol":"json","version":1}${RS}`), {
    request: { protocol: 'json', version: 1 },
    rest: '',
  });
});

test('parseHandshakeRequest returns undefined until the separator arrives', () => {
  assert.equal(parseHandshakeRequest(utf8('{"protocol":"json","version":1}')), undefined);
  assert.equal(parseHandshakeRequest('{"protocol":"json"'), undefined);
  assert.equal(parseHandshakeRequest(new Uint8Array(0)), undefined);
  assert.equal(parseHandshakeRequest(''), undefined);
});

test('parseHandshakeRequest rejects missing and mistyped fields with .NET texts', () => {
  const cases: [string, string][] = [
    ['{"version":1}', "Missing required property 'protocol'."],
    ['{"protocol":1,"version":1}', "Expected 'protocol' to be of type String."],
    ['{"protocol":null,"version":1}', "Expected 'protocol' to be of type String."],
    ['{"protocol":"json"}', "Missing required property 'version'."],
    ['{"protocol":"json","version":null}', "Missing required property 'version'."],
    ['{"protocol":"json","version":"1"}', "Expected 'version' to be of type Number."],
    ['{"protocol":"json","version":1.5}', "Expected 'version' to be an integer."],
    ['[]', "Unexpected JSON Token Type 'Array'. Expected a JSON Object."],
    ['"json"', "Unexpected JSON Token Type 'String'. Expected a JSON Object."],
    ['null', "Unexpected JSON Token Type 'Null'. Expected a JSON Object."],
    ['{"protocol":"json",', 'Error reading JSON.'],
    ['', 'Unexpected end when reading JSON.'],
  ];
  for (const [record, message] of cases) {
    assertProtocolError(() => parseHandshakeRequest(`${record}${RS}`), INVALID, message);
    assertProtocolError(() => parseHandshakeRequest(utf8(`${record}${RS}`)), INVALID, message);
  }
});

test('parseHandshakeRequest rejects invalid UTF-8', () => {
  const input = new Uint8Array([...utf8('{"protocol":"'), 0xc3, 0x28, ...utf8(`","version":1}${RS}`)]);
  assertProtocolError(() => parseHandshakeRequest(input), INVALID, 'The handshake is not valid UTF-8.');
});

test('maxHandshakeSize counts the separator: exactly the limit passes, one byte more is refused, finished or not', () => {
  const record = '{"protocol":"json","version":1}'; // 31 bytes, 32 with its separator
  const tooLarge = 'The handshake exceeded the maximum size of 31B.';
  assert.ok(parseHandshakeRequest(utf8(`${record}${RS}`), { maxHandshakeSize: 32 }));
  assert.ok(parseHandshakeRequest(`${record}${RS}`, { maxHandshakeSize: 32 }));
  assertProtocolError(() => parseHandshakeRequest(utf8(`${record}${RS}`), { maxHandshakeSize: 31 }),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
  assertProtocolError(() => parseHandshakeRequest(`${record}${RS}`, { maxHandshakeSize: 31 }),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
  // Unfinished: 31 bytes without a separator can no longer fit in 31.
  assertProtocolError(() => parseHandshakeRequest(utf8(record), { maxHandshakeSize: 31 }),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
  assertProtocolError(() => parseHandshakeRequest(record, { maxHandshakeSize: 31 }),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
  assert.equal(parseHandshakeRequest(utf8(record), { maxHandshakeSize: 32 }), undefined);
  assert.equal(parseHandshakeRequest(record, { maxHandshakeSize: 32 }), undefined);
  // Nothing received yet is nothing to refuse.
  assert.equal(parseHandshakeRequest('', { maxHandshakeSize: 0 }), undefined);
  assert.equal(parseHandshakeRequest(new Uint8Array(0), { maxHandshakeSize: 0 }), undefined);
  // The limit is the handshake's own: a large message after it is not counted.
  assert.ok(parseHandshakeRequest(`${record}${RS}${'x'.repeat(100)}`, { maxHandshakeSize: 32 }));
  // Text is measured in UTF-8 bytes: "é" is two.
  assertProtocolError(() => parseHandshakeRequest(`{"protocol":"é","version":1}${RS}`, { maxHandshakeSize: 29 }),
    ProtocolErrorCode.MessageTooLarge, 'The handshake exceeded the maximum size of 29B.');
  assert.ok(parseHandshakeRequest(`{"protocol":"é","version":1}${RS}`, { maxHandshakeSize: 30 }));
});

test('maxHandshakeSize at .NET\'s default of 32768: a record of 32767 bytes passes, 32768 is refused', () => {
  const padded = (length: number): string => `{"protocol":"json","version":1,"x":"${'x'.repeat(length - 38)}"}`;
  assert.equal(padded(32_767).length, 32_767);
  assert.ok(parseHandshakeRequest(utf8(`${padded(32_767)}${RS}`), { maxHandshakeSize: 32_768 }));
  assert.ok(parseHandshakeRequest(`${padded(32_767)}${RS}`, { maxHandshakeSize: 32_768 }));
  const tooLarge = 'The handshake exceeded the maximum size of 32768B.';
  assertProtocolError(() => parseHandshakeRequest(utf8(`${padded(32_768)}${RS}`), { maxHandshakeSize: 32_768 }),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
  assertProtocolError(() => parseHandshakeRequest(`${padded(32_768)}${RS}`, { maxHandshakeSize: 32_768 }),
    ProtocolErrorCode.MessageTooLarge, tooLarge);
});

test('parseHandshakeResponse reads success, errors and the messages that follow', () => {
  assert.deepEqual(parseHandshakeResponse(`{}${RS}`), { response: {}, rest: '' });
  assert.deepEqual(parseHandshakeResponse(`{"error":"nope","minorVersion":1}${RS}{"type":6}${RS}`), {
    response: { error: 'nope' },
    rest: `{"type":6}${RS}`,
  });
  const parsed = parseHandshakeResponse(utf8(`{}${RS}\u0091\u0006`));
  assert.ok(parsed);
  assert.deepEqual(parsed.response, {});
  assert.equal(text(parsed.rest), '\u0091\u0006');
  assert.equal(parseHandshakeResponse(utf8('{')), undefined);
});

test('parseHandshakeResponse rejects a hub message in place of a response, like the official client', () => {
  assertProtocolError(() => parseHandshakeResponse(`{"type":1,"target":"x","arguments":[]}${RS}`), INVALID,
    'Expected a handshake response from the server.');
  assertProtocolError(() => parseHandshakeResponse(utf8(`{"error":1}${RS}`)), INVALID,
    "Expected 'error' to be of type String.");
  assertProtocolError(() => parseHandshakeResponse(`x${RS}`), INVALID, 'Error reading JSON.');
  assertProtocolError(() => parseHandshakeResponse(`{}`, { maxHandshakeSize: 2 }), ProtocolErrorCode.MessageTooLarge,
    'The handshake exceeded the maximum size of 2B.');
  assert.deepEqual(parseHandshakeResponse(`{}${RS}`, { maxHandshakeSize: 3 }), { response: {}, rest: '' });
});

test('the official client parses the responses we write', () => {
  for (const response of [{}, { error: 'The server does not support version 3 of the \'json\' protocol.' }]) {
    const written = writeHandshakeResponseText(response);
    const [rest, parsed] = new official().parseHandshakeResponse(`${written}{"type":6}${RS}`);
    assert.equal(parsed.error, response.error);
    assert.equal(rest, `{"type":6}${RS}`);
    const bytes = writeHandshakeResponse(response);
    const [binaryRest, binaryParsed] = new official().parseHandshakeResponse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    assert.equal(binaryParsed.error, response.error);
    assert.equal(binaryRest, null);
  }
});
