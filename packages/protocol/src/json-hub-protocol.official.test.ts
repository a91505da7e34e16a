// Cross-checks against the official client's codec: what it writes we read, what we write it reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonHubProtocol as OfficialJson, NullLogger } from '@microsoft/signalr';
import type { HubMessage } from './hub-message.js';
import { JsonHubProtocol } from './json-hub-protocol.js';

/** The slice of the official codec used here; it takes and returns strings. */
interface OfficialProtocol {
  parseMessages(input: string, logger: unknown): unknown[];
  writeMessage(message: unknown): string;
}

const official: OfficialProtocol = new OfficialJson();
const ours = new JsonHubProtocol();
const logger = NullLogger.instance;

/** Messages whose objects are built in .NET's property order, so both writers must emit the same bytes. */
const IN_DOTNET_ORDER: HubMessage[] = [
  { type: 1, target: 'broadcast', arguments: ['user', 'hello', 1.5, true, null, { nested: [1, { deep: 'x' }] }] },
  { type: 1, invocationId: '12', target: 'upload', arguments: [], streamIds: ['13', '14'] },
  { type: 1, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, invocationId: '1', target: 't', arguments: [] },
  { type: 2, invocationId: '3', item: { id: 1, tags: ['a', 'é', '😀'] } },
  { type: 2, invocationId: '3', item: null },
  { type: 3, invocationId: '4', result: [1, 2, 3] },
  { type: 3, invocationId: '4', result: null },
  { type: 3, invocationId: '4', error: "An unexpected error occurred invoking 'm' on the server." },
  { type: 3, invocationId: '4' },
  { type: 4, invocationId: '5', target: 'counter', arguments: [10, 500] },
  { type: 5, invocationId: '5' },
  { type: 6 },
  { type: 7 },
  { type: 7, error: 'Connection closed with an error.', allowReconnect: true },
  { type: 8, sequenceId: 1 },
  { type: 9, sequenceId: 2_000_000 },
];

/** The types the official client parses; it skips StreamInvocation (4) and CancelInvocation (5) as unknown. */
const OFFICIAL_READS = new Set([1, 2, 3, 6, 7, 8, 9]);

test('both writers emit byte-identical JSON for the same message', () => {
  for (const message of IN_DOTNET_ORDER) {
    assert.equal(ours.writeText(message), official.writeMessage(message), JSON.stringify(message));
  }
});

test('we read every message the official client writes', () => {
  for (const message of IN_DOTNET_ORDER) {
    assert.deepEqual(ours.parseMessages(official.writeMessage(message)).messages, [message]);
  }
});

test('the official client reads every message we write, and skips the types it does not handle', () => {
  for (const message of IN_DOTNET_ORDER) {
    const parsed = official.parseMessages(ours.writeText(message), logger);
    assert.deepEqual(parsed, OFFICIAL_READS.has(message.type) ? [message] : [], JSON.stringify(message));
  }
});

test('we read messages shaped as the official HubConnection builds them (type last)', () => {
  // Literal copies of HubConnection._create* results and of its keep-alive/stop/ack messages.
  const fromClient: [unknown, HubMessage][] = [
    [{ target: 'send', arguments: ['hi'], type: 1 }, { type: 1, target: 'send', arguments: ['hi'] }],
    [{ target: 'echo', arguments: [1], invocationId: '0', type: 1 }, { type: 1, invocationId: '0', target: 'echo', arguments: [1] }],
    [
      { target: 'upload', arguments: [], invocationId: '1', streamIds: ['2'], type: 1 },
      { type: 1, invocationId: '1', target: 'upload', arguments: [], streamIds: ['2'] },
    ],
    [{ target: 'count', arguments: [3], invocationId: '3', type: 4 }, { type: 4, invocationId: '3', target: 'count', arguments: [3] }],
    [{ invocationId: '3', type: 5 }, { type: 5, invocationId: '3' }],
    [{ invocationId: '2', item: 'chunk', type: 2 }, { type: 2, invocationId: '2', item: 'chunk' }],
    [{ error: 'Error: upload failed', invocationId: '2', type: 3 }, { type: 3, invocationId: '2', error: 'Error: upload failed' }],
    // A client result of undefined: JSON drops `result`, so it is a completion without a value.
    [{ invocationId: 's1', result: undefined, type: 3 }, { type: 3, invocationId: 's1' }],
    [{ invocationId: 's1', result: { ok: true }, type: 3 }, { type: 3, invocationId: 's1', result: { ok: true } }],
    [{ type: 6 }, { type: 6 }],
    [{ type: 7 }, { type: 7 }],
    [{ type: 8, sequenceId: 5 }, { type: 8, sequenceId: 5 }],
    [{ type: 9, sequenceId: 6 }, { type: 9, sequenceId: 6 }],
  ];
  const frame = fromClient.map(([message]) => official.writeMessage(message)).join('');
  assert.deepEqual(ours.parseMessages(frame).messages, fromClient.map(([, expected]) => expected));
  assert.deepEqual(ours.parseMessages(new TextEncoder().encode(frame)).messages, fromClient.map(([, expected]) => expected));
});

test('the official client reads a frame of several of our messages', () => {
  const frame = IN_DOTNET_ORDER.map((message) => ours.writeText(message)).join('');
  assert.deepEqual(official.parseMessages(frame, logger), IN_DOTNET_ORDER.filter((m) => OFFICIAL_READS.has(m.type)));
});

test('the official client receives bytes and dates as a .NET server would send them', () => {
  const message: HubMessage = {
    type: 1,
    target: 'file',
    arguments: [new Uint8Array([0, 1, 2, 253, 254, 255]), new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 10))],
  };
  assert.deepEqual(official.parseMessages(ours.writeText(message), logger), [
    { type: 1, target: 'file', arguments: ['AAEC/f7/', '2024-02-29T23:59:58.01Z'] },
  ]);
});
