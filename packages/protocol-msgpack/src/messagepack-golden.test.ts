// The byte examples of the MessagePack hub protocol spec (HubProtocol.md, signalr-wire.md §2.8), in both
// directions. Bodies are written without their VarInt prefix, as in the spec; `framed()` adds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubMessage } from '@switchyard/protocol';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
import { framed, fromHex, toHex } from './test-support/bytes.js';

const XYZ = 'A3 78 79 7A';
const METHOD = 'A6 6D 65 74 68 6F 64';
const FOO_BAR = '81 A3 66 6F 6F A3 62 61 72';

interface GoldenCase {
  readonly name: string;
  readonly body: string;
  readonly message: HubMessage;
}

/** Bodies our writer produces exactly, and reads back to the same message. */
const twoWay: readonly GoldenCase[] = [
  {
    name: 'Invocation with an id and empty stream ids',
    body: `96 01 80 ${XYZ} ${METHOD} 91 2A 90`,
    message: { type: 1, invocationId: 'xyz', target: 'method', arguments: [42], streamIds: [] },
  },
  {
    name: 'Invocation without stream ids (5 elements)',
    body: `95 01 80 ${XYZ} ${METHOD} 91 2A`,
    message: { type: 1, invocationId: 'xyz', target: 'method', arguments: [42] },
  },
  {
    name: 'non-blocking Invocation',
    body: `96 01 80 C0 ${METHOD} 91 2A 90`,
    message: { type: 1, target: 'method', arguments: [42], streamIds: [] },
  },
  {
    name: 'Invocation with headers and stream ids',
    body: `96 01 ${FOO_BAR} ${XYZ} ${METHOD} 92 2A A1 61 92 A1 31 A1 32`,
    message: {
      type: 1, headers: { foo: 'bar' }, invocationId: 'xyz', target: 'method', arguments: [42, 'a'], streamIds: ['1', '2'],
    },
  },
  {
    name: 'StreamInvocation',
    body: `95 04 80 ${XYZ} ${METHOD} 91 2A`,
    message: { type: 4, invocationId: 'xyz', target: 'method', arguments: [42] },
  },
  {
    name: 'StreamInvocation with stream ids',
    body: `96 04 80 ${XYZ} ${METHOD} 90 91 A1 30`,
    message: { type: 4, invocationId: 'xyz', target: 'method', arguments: [], streamIds: ['0'] },
  },
  { name: 'StreamItem', body: `94 02 80 ${XYZ} 2A`, message: { type: 2, invocationId: 'xyz', item: 42 } },
  { name: 'StreamItem of nil', body: `94 02 80 ${XYZ} C0`, message: { type: 2, invocationId: 'xyz', item: null } },
  {
    name: 'StreamItem with headers',
    body: `94 02 ${FOO_BAR} ${XYZ} 2A`,
    message: { type: 2, headers: { foo: 'bar' }, invocationId: 'xyz', item: 42 },
  },
  { name: 'void Completion', body: `94 03 80 ${XYZ} 02`, message: { type: 3, invocationId: 'xyz' } },
  {
    name: 'non-void Completion',
    body: `95 03 80 ${XYZ} 03 2A`,
    message: { type: 3, invocationId: 'xyz', result: 42 },
  },
  {
    name: 'Completion of a void hub method (kind 3, nil)',
    body: `95 03 80 ${XYZ} 03 C0`,
    message: { type: 3, invocationId: 'xyz', result: null },
  },
  {
    name: 'error Completion (the spec annotation says 0x94; the bytes say 0x95)',
    body: `95 03 80 ${XYZ} 01 A5 45 72 72 6F 72`,
    message: { type: 3, invocationId: 'xyz', error: 'Error' },
  },
  { name: 'CancelInvocation', body: `93 05 80 ${XYZ}`, message: { type: 5, invocationId: 'xyz' } },
  { name: 'Ping', body: '91 06', message: { type: 6 } },
  { name: 'Close with an error', body: `92 07 ${XYZ}`, message: { type: 7, error: 'xyz' } },
  {
    name: 'Close with an error and allowReconnect',
    body: `93 07 ${XYZ} C3`,
    message: { type: 7, error: 'xyz', allowReconnect: true },
  },
  { name: 'Close as the official client writes it', body: '92 07 C0', message: { type: 7 } },
  { name: 'Close with allowReconnect only', body: '93 07 C0 C3', message: { type: 7, allowReconnect: true } },
  // The spec shows uint8 (CC) encodings; every writer (ours, the official client, .NET) uses the compact fixint.
  { name: 'Ack 36', body: '92 08 24', message: { type: 8, sequenceId: 36 } },
  { name: 'Sequence 19', body: '92 09 13', message: { type: 9, sequenceId: 19 } },
  { name: 'Sequence 2^32', body: '92 09 CF 00 00 00 01 00 00 00 00', message: { type: 9, sequenceId: 2 ** 32 } },
];

/** Bodies other writers (the spec, .NET) produce: we read them; we write an equivalent, shorter form. */
const readOnly: readonly GoldenCase[] = [
  { name: 'spec Ack 36 (uint8)', body: '92 08 CC 24', message: { type: 8, sequenceId: 36 } },
  { name: 'spec Sequence 19 (uint8)', body: '92 09 CC 13', message: { type: 9, sequenceId: 19 } },
  { name: 'Sequence as uint16', body: '92 09 CD 01 00', message: { type: 9, sequenceId: 256 } },
  { name: 'Sequence as uint32', body: '92 09 CE 00 01 00 00', message: { type: 9, sequenceId: 65536 } },
  { name: 'Sequence as int64', body: '92 09 D3 00 00 00 00 00 00 00 07', message: { type: 9, sequenceId: 7 } },
  { name: '.NET Close without error (3 elements)', body: '93 07 C0 C2', message: { type: 7 } },
  { name: '.NET Close with error, no reconnect', body: `93 07 ${XYZ} C2`, message: { type: 7, error: 'xyz' } },
  { name: 'Close with an empty error (still an error)', body: '92 07 A0', message: { type: 7, error: '' } },
  {
    name: 'Invocation with an empty id is non-blocking',
    body: `95 01 80 A0 ${METHOD} 90`,
    message: { type: 1, target: 'method', arguments: [] },
  },
  {
    name: 'Invocation with nil stream ids',
    body: `96 01 80 ${XYZ} ${METHOD} 90 C0`,
    message: { type: 1, invocationId: 'xyz', target: 'method', arguments: [] },
  },
  {
    name: 'Invocation with a trailing element from a future version',
    body: `97 01 80 ${XYZ} ${METHOD} 90 90 A3 6E 65 77`,
    message: { type: 1, invocationId: 'xyz', target: 'method', arguments: [], streamIds: [] },
  },
  { name: 'Ping with extra elements', body: '93 06 01 02', message: { type: 6 } },
  { name: 'StreamItem with an extra element', body: `95 02 80 ${XYZ} 2A 01`, message: { type: 2, invocationId: 'xyz', item: 42 } },
  { name: 'void Completion with an extra element', body: `95 03 80 ${XYZ} 02 2A`, message: { type: 3, invocationId: 'xyz' } },
  { name: 'CancelInvocation with an extra element', body: `94 05 80 ${XYZ} 01`, message: { type: 5, invocationId: 'xyz' } },
  { name: 'Ack with an extra element', body: '93 08 01 02', message: { type: 8, sequenceId: 1 } },
  { name: 'message type 6 written as float64 6.0', body: '91 CB 40 18 00 00 00 00 00 00', message: { type: 6 } },
];

test('the writer produces the spec bytes, framed with the VarInt prefix', () => {
  const protocol = new MessagePackHubProtocol();
  for (const { name, body, message } of twoWay) {
    assert.equal(toHex(protocol.writeMessage(message)), toHex(framed(body)), name);
  }
});

test('the reader turns the spec bytes into the messages', () => {
  const protocol = new MessagePackHubProtocol();
  for (const { name, body, message } of [...twoWay, ...readOnly]) {
    const { messages, rest } = protocol.parseMessages(framed(body));
    assert.deepEqual(messages, [message], name);
    assert.equal(rest.byteLength, 0, name);
  }
});

test('framing of a spec example: 17-byte Invocation body behind prefix 0x11', () => {
  const protocol = new MessagePackHubProtocol();
  const bytes = protocol.writeMessage({ type: 1, invocationId: 'xyz', target: 'method', arguments: [42], streamIds: [] });
  assert.equal(bytes[0], 0x11);
  assert.equal(bytes.byteLength, 18);
  assert.deepEqual(bytes.subarray(1), fromHex(`96 01 80 ${XYZ} ${METHOD} 91 2A 90`));
});
