// Property tests: hostile input only ever yields messages or a ProtocolError, and valid messages round-trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError, ProtocolErrorCode } from './errors.js';
import { parseHandshakeRequest, parseHandshakeResponse, writeHandshakeRequest } from './handshake.js';
import type { ParseResult } from './hub-protocol.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { concat, corruptedRecord, hubMessage, mutate } from './test-support/arbitraries.js';

const protocol = new JsonHubProtocol();
const RUNS = { numRuns: 2000 };
const CODES = new Set<string>(Object.values(ProtocolErrorCode));
const maxSize = fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined });

/** Runs `parse`; a throw must be a ProtocolError with a known code, anything else fails the property. */
function parsesOrFailsCleanly(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    assert.ok(CODES.has(error.code), error.code);
  }
}

function assertParseResult(result: ParseResult): void {
  assert.ok(Array.isArray(result.messages));
  assert.ok(result.rest instanceof Uint8Array);
}

/** Feeds one input to every parser in the package. */
function parseEverywhere(input: Uint8Array | string, maxMessageSize: number | undefined): void {
  parsesOrFailsCleanly(() => assertParseResult(protocol.parseMessages(input, { maxMessageSize })));
  const options = { maxHandshakeSize: maxMessageSize };
  if (typeof input === 'string') {
    parsesOrFailsCleanly(() => parseHandshakeRequest(input, options));
    parsesOrFailsCleanly(() => parseHandshakeResponse(input, options));
  } else {
    parsesOrFailsCleanly(() => parseHandshakeRequest(input, options));
    parsesOrFailsCleanly(() => parseHandshakeResponse(input, options));
  }
}

test('random bytes yield messages or a ProtocolError, nothing else', () => {
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ min: 0x1c, max: 0x7f, maxLength: 300 }));
  fc.assert(fc.property(bytes, maxSize, (input, max) => parseEverywhere(input, max)), RUNS);
});

test('random strings (lone surrogates, separators) yield messages or a ProtocolError', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(fc.oneof(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\u001e', '\\', 'type', '1', 'null', ' '), fc.string()), { maxLength: 60 }).map((parts) => parts.join('')),
  );
  fc.assert(fc.property(text, maxSize, (input, max) => parseEverywhere(input, max)), RUNS);
});

test('mutated valid frames yield messages or a ProtocolError', () => {
  const frame = fc.array(hubMessage, { minLength: 1, maxLength: 3 }).map((messages) => concat(messages.map((m) => protocol.writeMessage(m))));
  const handshake = fc.record({ protocol: fc.string(), version: fc.integer() }).map(writeHandshakeRequest);
  const mutated = fc.oneof(frame, handshake).chain(mutate);
  fc.assert(fc.property(mutated, maxSize, (input, max) => parseEverywhere(input, max)), RUNS);
});

test('valid messages with fields deleted, retyped or added are read or rejected with a ProtocolError', () => {
  const corrupted = corruptedRecord((message) => protocol.writeText(message).slice(0, -1));
  fc.assert(
    fc.property(fc.array(corrupted, { minLength: 1, maxLength: 3 }), (records) => {
      const frame = records.map((record) => `${record}\u001e`).join('');
      let messages;
      try {
        messages = protocol.parseMessages(frame).messages;
      } catch (error) {
        if (error instanceof ProtocolError) return;
        throw error;
      }
      // Whatever was accepted is in normal form: writing and reading it again changes nothing.
      for (const message of messages) assert.deepEqual(protocol.parseMessages(protocol.writeMessage(message)).messages, [message]);
      parseEverywhere(frame, undefined);
    }),
    RUNS,
  );
});

test('every valid message survives write then parse, as bytes and as text', () => {
  fc.assert(
    fc.property(hubMessage, (message) => {
      assert.deepEqual(protocol.parseMessages(protocol.writeMessage(message)), { messages: [message], rest: new Uint8Array(0) });
      assert.deepEqual(protocol.parseMessages(protocol.writeText(message)).messages, [message]);
    }),
    RUNS,
  );
});

test('a frame split at any byte parses to the same messages once both halves arrive', () => {
  const split = fc
    .array(hubMessage, { minLength: 1, maxLength: 4 })
    .chain((messages) => {
      const frame = concat(messages.map((m) => protocol.writeMessage(m)));
      return fc.tuple(fc.constant(messages), fc.constant(frame), fc.integer({ min: 0, max: frame.length }));
    });
  fc.assert(
    fc.property(split, ([messages, frame, at]) => {
      const first = protocol.parseMessages(frame.subarray(0, at));
      const second = protocol.parseMessages(concat([first.rest, frame.subarray(at)]));
      assert.deepEqual([...first.messages, ...second.messages], messages);
      assert.equal(second.rest.length, 0);
    }),
    RUNS,
  );
});

test('a handshake request survives write then parse, split anywhere', () => {
  const request = fc.record({ protocol: fc.string({ unit: 'binary' }), version: fc.integer() });
  fc.assert(
    fc.property(request, fc.nat(), (sent, cut) => {
      const bytes = writeHandshakeRequest(sent);
      const at = cut % bytes.length; // strictly before the separator
      assert.equal(parseHandshakeRequest(bytes.subarray(0, at)), undefined);
      assert.deepEqual(parseHandshakeRequest(bytes)?.request, { ...sent });
    }),
    RUNS,
  );
});

test('maxMessageSize accepts a message exactly when it fits with its separator, as text and as bytes', () => {
  fc.assert(
    fc.property(hubMessage, fc.integer({ min: -2, max: 2 }), (message, delta) => {
      const bytes = protocol.writeMessage(message);
      const maxMessageSize = bytes.length + delta;
      for (const input of [bytes, protocol.writeText(message)]) {
        let accepted: boolean;
        try {
          accepted = protocol.parseMessages(input, { maxMessageSize }).messages.length === 1;
        } catch (error) {
          assert.ok(error instanceof ProtocolError && error.code === ProtocolErrorCode.MessageTooLarge, String(error));
          accepted = false;
        }
        assert.equal(accepted, delta >= 0);
      }
    }),
    RUNS,
  );
});

test('a bad record after valid messages throws with exactly those messages on the error', () => {
  const bad = fc.constantFrom('garbage', '{}', '[]', '{"type":1}', '\u00ff\u00fe', '');
  fc.assert(
    fc.property(fc.array(hubMessage, { maxLength: 4 }), bad, hubMessage, (messages, record, after) => {
      const text = `${messages.map((m) => protocol.writeText(m)).join('')}${record}\u001e${protocol.writeText(after)}`;
      for (const input of [text, new TextEncoder().encode(text)]) {
        try {
          protocol.parseMessages(input);
          assert.fail('expected a ProtocolError');
        } catch (error) {
          assert.ok(error instanceof ProtocolError, String(error));
          assert.deepEqual(error.messagesBeforeError, messages);
        }
      }
    }),
    RUNS,
  );
});
