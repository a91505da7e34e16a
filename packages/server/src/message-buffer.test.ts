/**
 * Stateful reconnect in the hub layer (wire reference §2.9), through a fake connection whose transport
 * the test drops and resumes: numbering, acks, the replay window, Sequence, replay and dedupe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionsErrorCode } from '@switchyard/connections';
import { JsonHubProtocol, MessageType, isSequencedMessage, type HubMessage } from '@switchyard/protocol';
import { Hub } from './hub.js';
import { HubHarness, settle, type HarnessOptions } from './test-support/hub-harness.js';
import { FakeConnection } from './test-support/fake-connection.js';
import { TestClient } from './test-support/test-client.js';

const events: { disconnected: (Error | undefined)[]; release: (() => void) | undefined } = { disconnected: [], release: undefined };

class ReconnectHub extends Hub {
  echo(value: unknown): unknown {
    return value;
  }
  kick(): void {
    this.context.abort();
  }
  async kickLater(): Promise<void> {
    await new Promise<void>((resolve) => (events.release = resolve));
    this.context.abort();
  }
  async *endless(): AsyncGenerator<number> {
    for (let i = 0; !this.signal.aborted; i++) {
      yield i;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  override onDisconnected(error?: Error): Promise<void> {
    events.disconnected.push(error);
    return Promise.resolve();
  }
}

async function withHub(options: HarnessOptions, run: (hub: HubHarness) => Promise<void>): Promise<void> {
  events.disconnected.length = 0;
  const hub = new HubHarness(ReconnectHub, options);
  try {
    await run(hub);
  } finally {
    await hub.close();
  }
}

/** A client that negotiated stateful reconnect and shook hands with version 2. */
async function connectStateful(hub: HubHarness, maxBufferedBytes?: number): Promise<TestClient> {
  const connection = new FakeConnection({ statefulReconnect: true, maxBufferedBytes });
  const client = new TestClient(connection, hub.protocol);
  connection.listener = hub.endpoint.handler(connection);
  await client.handshake('json', 2);
  await settle();
  return client;
}

/** The server's tracked messages the client got from index `from` on, with the server's ids. */
function trackedFrom(client: TestClient, from: number, firstId: number): { id: number; message: HubMessage }[] {
  return client.received.slice(from).filter(isSequencedMessage).map((message, i) => ({ id: firstId + i, message }));
}

/** The arguments of an Invocation (undefined for anything else). */
const argumentsOf = (message: HubMessage | undefined): readonly unknown[] | undefined =>
  message?.type === MessageType.Invocation ? message.arguments : undefined;

/** Bytes of one `n(i)` Invocation with a one-digit argument: windows below are multiples of it. */
const SMALL_INVOCATION_BYTES = new JsonHubProtocol().writeMessage({ type: MessageType.Invocation, target: 'n', arguments: [0] }).byteLength;

const echoResults = (messages: readonly HubMessage[]): unknown[] =>
  messages.filter((m) => m.type === MessageType.Completion).map((m) => (m as { result?: unknown }).result);

test('a version-2 handshake makes a stateful connection resumable; version 1, no negotiate flag, or context.abort() do not', async () => {
  await withHub({}, async (hub) => {
    const stateful = await connectStateful(hub);
    assert.equal(stateful.connection.resumable, true);

    const versionOne = await hub.connect({ handshake: false, statefulReconnect: true });
    await versionOne.handshake('json', 1);
    await settle();
    assert.equal(versionOne.connection.resumable, false);

    const notNegotiated = await hub.connect({ handshake: false });
    await notNegotiated.handshake('json', 2);
    await settle();
    assert.equal(notNegotiated.connection.resumable, false);

    stateful.sendInvocation('kick');
    await settle();
    assert.equal(stateful.connection.resumable, false, 'abort disables reconnect');
    assert.equal(stateful.connection.closed, true);
    assert.deepEqual(stateful.received.at(-1), { type: MessageType.Close });
  });
});

test('context.abort() while the transport is lost ends the connection as an abort: onDisconnected without an error, once', async () => {
  await withHub({}, async (hub) => {
    const client = await connectStateful(hub);
    client.sendInvocation('kickLater');
    await settle();
    client.connection.loseTransport();
    events.release!();
    await settle();
    assert.equal(client.connection.closed, true);
    assert.equal(client.connection.resumable, false);
    assert.deepEqual(events.disconnected, [undefined]);
  });
});

test('after a takeover the server sends Sequence{oldest unacknowledged id}, then replays in order, including what was sent while lost', async () => {
  await withHub({}, async (hub) => {
    const client = await connectStateful(hub);
    assert.equal((await client.invoke('echo', 'a')).result, 'a'); // server id 1
    assert.equal((await client.invoke('echo', 'b')).result, 'b'); // server id 2
    client.send({ type: MessageType.Ack, sequenceId: 1 });
    client.connection.loseTransport();
    await hub.context().clients.all.send('news', 'while lost'); // server id 3, kept for the replay
    hub.advance(20_000); // no Ping, no Ack and no client timeout while lost
    const before = client.received.length;
    client.connection.resumeTransport();
    const replay = client.received.slice(before);
    assert.deepEqual(replay[0], { type: MessageType.Sequence, sequenceId: 2 });
    assert.deepEqual(echoResults(replay), ['b']);
    assert.deepEqual(replay.slice(1).map((m) => m.type), [MessageType.Completion, MessageType.Invocation]);
    assert.deepEqual(argumentsOf(replay[2]), ['while lost']);
    assert.equal(client.connection.closed, false);
    assert.deepEqual(events.disconnected, [], 'onDisconnected is not called for a lost transport');
  });
});

test('with nothing unacknowledged the Sequence is the next id and nothing is replayed', async () => {
  await withHub({}, async (hub) => {
    const client = await connectStateful(hub);
    await client.invoke('echo', 1);
    await client.invoke('echo', 2);
    client.send({ type: MessageType.Ack, sequenceId: 2 });
    client.connection.loseTransport();
    const before = client.received.length;
    client.connection.resumeTransport();
    assert.deepEqual(client.received.slice(before), [{ type: MessageType.Sequence, sequenceId: 3 }]);
  });
});

test('inbound after a takeover: ignored until the client Sequence, then duplicates dropped and new messages dispatched', async () => {
  await withHub({}, async (hub) => {
    const client = await connectStateful(hub);
    await client.invoke('echo', 'first'); // client id 1
    client.connection.loseTransport();
    client.connection.resumeTransport();
    const before = client.received.length;
    client.send({ type: MessageType.Invocation, invocationId: 'early', target: 'echo', arguments: ['before Sequence'] });
    client.send({ type: MessageType.Sequence, sequenceId: 1 });
    client.send({ type: MessageType.Invocation, invocationId: 'again', target: 'echo', arguments: ['first, replayed'] }); // id 1 again
    client.send({ type: MessageType.Invocation, invocationId: 'new', target: 'echo', arguments: ['second'] }); // id 2
    assert.equal((await client.completion('new')).result, 'second');
    await settle();
    assert.deepEqual(echoResults(client.received.slice(before)), ['second'], 'neither the early nor the duplicate ran');
    hub.advance(20);
    assert.deepEqual(client.ofType(MessageType.Ack).at(-1), { type: MessageType.Ack, sequenceId: 2 });
  });
});

test('a client Sequence ahead of what the server received closes with the .NET error', async () => {
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const client = await connectStateful(hub);
    client.connection.loseTransport();
    client.connection.resumeTransport();
    client.send({ type: MessageType.Sequence, sequenceId: 5 });
    await settle();
    assert.deepEqual(client.received.at(-1), {
      type: MessageType.Close,
      error: "Connection closed with an error. InvalidOperationException: Sequence ID greater than amount of messages we've received.",
      allowReconnect: true,
    });
    assert.equal(events.disconnected.length, 1);
    assert.equal(events.disconnected[0]?.message, "Sequence ID greater than amount of messages we've received.");
  });
});

test('beyond statefulReconnectBufferSize messages wait for acks and go out in order as acks free the window', async () => {
  await withHub({ statefulReconnectBufferSize: 2 * SMALL_INVOCATION_BYTES }, async (hub) => {
    const client = await connectStateful(hub);
    const start = client.received.length;
    const clients = hub.context().clients;
    // Two Invocations fill the window, the other eight wait.
    for (let i = 0; i < 10; i++) await clients.all.send('n', i);
    const sent = (): unknown[] => trackedFrom(client, start, 1).map(({ message }) => argumentsOf(message)?.[0]);
    assert.deepEqual(sent(), [0, 1]);
    client.send({ type: MessageType.Ack, sequenceId: 1 });
    assert.deepEqual(sent(), [0, 1, 2]);
    client.send({ type: MessageType.Ack, sequenceId: 3 });
    assert.deepEqual(sent(), [0, 1, 2, 3, 4]);
    client.send({ type: MessageType.Ack, sequenceId: 5 });
    client.send({ type: MessageType.Ack, sequenceId: 7 });
    client.send({ type: MessageType.Ack, sequenceId: 9 });
    assert.deepEqual(sent(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

test('a server stream pauses while the replay window is full and goes on when acks arrive', async () => {
  await withHub({ statefulReconnectBufferSize: 200 }, async (hub) => {
    const client = await connectStateful(hub);
    const id = client.stream('endless');
    await client.waitFor((m) => m.type === MessageType.StreamItem);
    await settle(20);
    const paused = client.itemsOf(id).length;
    await settle(20);
    assert.equal(client.itemsOf(id).length, paused, 'no acks: the generator is not pulled');
    client.send({ type: MessageType.Ack, sequenceId: paused });
    await client.waitFor((m) => m.type === MessageType.StreamItem && (m as { item: number }).item === paused);
    client.send({ type: MessageType.CancelInvocation, invocationId: id });
    await client.completion(id);
  });
});

test('a lost transport pauses streams too; they resume with the transport', async () => {
  await withHub({}, async (hub) => {
    const client = await connectStateful(hub);
    const id = client.stream('endless');
    await client.waitFor((m) => m.type === MessageType.StreamItem);
    client.connection.loseTransport();
    await settle(20);
    const before = client.received.length;
    client.connection.resumeTransport();
    const items = client.received.slice(before).filter((m) => m.type === MessageType.StreamItem).map((m) => (m as { item: number }).item);
    // The replay: every item so far (none acknowledged), in order, from 0; then the stream goes on.
    assert.deepEqual(items, items.map((_, i) => i));
    await client.waitFor((m) => m.type === MessageType.StreamItem && (m as { item: number }).item === items.length + 1);
    // The client's side of the resume: its Sequence, then its unacknowledged StreamInvocation again.
    client.send({ type: MessageType.Sequence, sequenceId: 1 });
    client.send({ type: MessageType.StreamInvocation, invocationId: id, target: 'endless', arguments: [] });
    client.send({ type: MessageType.CancelInvocation, invocationId: id });
    await client.completion(id);
    await settle();
    assert.equal(client.ofType(MessageType.Completion).length, 1, 'the replayed StreamInvocation was a duplicate: one stream only');
  });
});

test('messages waiting beyond maxBufferedBytes fail the connection with ERR_CONNECTION_BUFFER_FULL', async () => {
  await withHub({ statefulReconnectBufferSize: 100 }, async (hub) => {
    const client = await connectStateful(hub, 500);
    client.connection.loseTransport();
    const clients = hub.context().clients;
    for (let i = 0; i < 20 && !client.connection.closed; i++) await clients.all.send('n', i);
    assert.equal(client.connection.closed, true);
    await settle();
    assert.equal(events.disconnected.length, 1);
    assert.equal((events.disconnected[0] as { code?: string }).code, ConnectionsErrorCode.BufferFull);
  });
});

test('a graceful close delivers the messages waiting for the window before the Close', async () => {
  const hub = new HubHarness(ReconnectHub, { statefulReconnectBufferSize: 2 * SMALL_INVOCATION_BYTES });
  const client = await connectStateful(hub);
  const start = client.received.length;
  for (let i = 0; i < 6; i++) await hub.context().clients.all.send('n', i);
  assert.equal(trackedFrom(client, start, 1).length, 2);
  await hub.close();
  assert.equal(trackedFrom(client, start, 1).length, 6);
  assert.deepEqual(client.received.at(-1), { type: MessageType.Close, allowReconnect: true });
});

test('the client timeout does not run while the transport is lost', async () => {
  await withHub({ clientTimeoutMs: 1000 }, async (hub) => {
    const client = await connectStateful(hub);
    client.send({ type: MessageType.Ping }); // arms the client timeout
    client.connection.loseTransport();
    hub.advance(5000);
    client.connection.resumeTransport();
    hub.advance(500);
    assert.equal(client.connection.closed, false);
    hub.advance(600);
    assert.equal(client.connection.closed, true, 'silent after the resume: the timeout applies again');
  });
});

test('an Ack goes out as soon as a quarter of statefulReconnectBufferSize arrived, not only on the heartbeat', async () => {
  // A client's replay buffer is its upload window: waiting for the heartbeat would cap uploads.
  const invocationBytes = new JsonHubProtocol().writeMessage({ type: MessageType.Invocation, target: 'echo', arguments: ['x'.repeat(40)] }).byteLength;
  await withHub({ statefulReconnectBufferSize: 4 * (invocationBytes + invocationBytes / 2) }, async (hub) => {
    const client = await connectStateful(hub);
    client.sendInvocation('echo', 'x'.repeat(40));
    await settle();
    assert.deepEqual(client.ofType(MessageType.Ack), [], 'less than a quarter of the window: the Ack waits for the heartbeat');
    client.sendInvocation('echo', 'x'.repeat(40));
    await settle();
    assert.deepEqual(client.ofType(MessageType.Ack), [{ type: MessageType.Ack, sequenceId: 2 }], 'no heartbeat ran: the bytes triggered it');
    hub.advance(1000);
    assert.equal(client.ofType(MessageType.Ack).length, 1, 'nothing new to acknowledge on the heartbeat');
    client.sendInvocation('echo', 'x'.repeat(40));
    hub.advance(1000);
    assert.deepEqual(client.ofType(MessageType.Ack).at(-1), { type: MessageType.Ack, sequenceId: 3 }, 'the heartbeat still acknowledges the rest');
  });
});
