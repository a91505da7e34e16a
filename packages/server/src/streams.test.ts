import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '@switchyard/protocol';
import { HubHarness, settle } from './test-support/hub-harness.js';
import { TestHub, probe } from './test-support/test-hub.js';

beforeEach(() => probe.reset());

async function withHub(options: ConstructorParameters<typeof HubHarness>[1], run: (harness: HubHarness) => Promise<void>): Promise<void> {
  const harness = new HubHarness(TestHub, options);
  try {
    await run(harness);
  } finally {
    await harness.close();
  }
}

test('a server stream sends its items, then a Completion with neither result nor error', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const id = client.stream('counter', 3);
    const completion = await client.completion(id);
    assert.deepEqual(client.itemsOf(id), [0, 1, 2]);
    assert.deepEqual(completion, { type: MessageType.Completion, invocationId: id });
  });
});

test('a stream failing before its first item reads as a failed invocation, after it as a failed stream', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const before = client.stream('failBeforeFirstItem', 'boom');
    assert.equal((await client.completion(before)).error, "An unexpected error occurred invoking 'failBeforeFirstItem' on the server.");
    const after = client.stream('failAfterFirstItem', 'boom');
    assert.equal((await client.completion(after)).error, 'An error occurred on the server while streaming results.');
    assert.deepEqual(client.itemsOf(after), [1]);
  });
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    const after = client.stream('failAfterFirstItem', 'boom');
    assert.equal(
      (await client.completion(after)).error,
      'An error occurred on the server while streaming results. InvalidOperationException: boom',
    );
  });
});

test('CancelInvocation aborts the stream signal, runs the generator cleanup and still completes', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const id = client.stream('endless');
    await client.waitFor((m) => m.type === MessageType.StreamItem && m.invocationId === id);
    client.send({ type: MessageType.CancelInvocation, invocationId: id });
    const completion = await client.completion(id);
    assert.equal(completion.error, undefined);
    assert.equal(probe.signals[0]?.aborted, true);
    await settle();
    assert.ok(probe.events.includes('endless:finally'));
    // Cancelling an unknown or finished stream is harmless.
    client.send({ type: MessageType.CancelInvocation, invocationId: id });
    assert.equal((await client.invoke('echo', 1)).result, 1);
  });
});

test('a stream id already in use is refused with the .NET text', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.StreamInvocation, invocationId: 'dup', target: 'gatedStream', arguments: ['g'] });
    await client.waitFor((m) => m.type === MessageType.StreamItem && m.invocationId === 'dup');
    client.send({ type: MessageType.StreamInvocation, invocationId: 'dup', target: 'counter', arguments: [1] });
    assert.equal((await client.completion('dup')).error, "Invocation ID 'dup' is already in use.");
    probe.gate('g').resolve(undefined);
  });
});

test('a disconnect aborts every running stream', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const id = client.stream('gatedStream', 'never');
    await client.waitFor((m) => m.type === MessageType.StreamItem && m.invocationId === id);
    client.connection.drop();
    await settle();
    assert.equal(probe.signals[0]?.aborted, true);
  });
});

test('upload streams arrive as AsyncIterables appended after the regular arguments', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.Invocation, invocationId: 'u', target: 'sum', arguments: [], streamIds: ['1'] });
    for (const n of [1, 2, 3]) client.send({ type: MessageType.StreamItem, invocationId: '1', item: n });
    client.send({ type: MessageType.Completion, invocationId: '1' });
    assert.equal((await client.completion('u')).result, 6);

    client.send({ type: MessageType.Invocation, invocationId: 'c', target: 'concat', arguments: ['>'], streamIds: ['a', 'b'] });
    client.send({ type: MessageType.StreamItem, invocationId: 'b', item: 'B' });
    client.send({ type: MessageType.StreamItem, invocationId: 'a', item: 'A' });
    client.send({ type: MessageType.Completion, invocationId: 'b' });
    client.send({ type: MessageType.Completion, invocationId: 'a' });
    assert.equal((await client.completion('c')).result, '>AB');
  });
});

test('a client error on an upload stream reaches the method as a HubException', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.Invocation, invocationId: 'u', target: 'uploadError', arguments: [], streamIds: ['s'] });
    client.send({ type: MessageType.StreamItem, invocationId: 's', item: 1 });
    client.send({ type: MessageType.Completion, invocationId: 's', error: 'client gave up' });
    assert.equal((await client.completion('u')).result, 'HubException: client gave up');
  });
});

test('items for unknown or finished streams are ignored', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.StreamItem, invocationId: 'ghost', item: 1 });
    client.send({ type: MessageType.Completion, invocationId: 'ghost' });
    client.send({ type: MessageType.Invocation, invocationId: 'u', target: 'ignoreUpload', arguments: [], streamIds: ['s'] });
    assert.equal((await client.completion('u')).result, 'ignored');
    client.send({ type: MessageType.StreamItem, invocationId: 's', item: 1 });
    assert.equal((await client.invoke('echo', 'ok')).result, 'ok');
    assert.equal(client.connection.closed, false);
  });
});

test('an upload buffers up to streamBufferCapacity, then the connection stops reading until the method catches up', async () => {
  await withHub({ streamBufferCapacity: 2 }, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.Invocation, invocationId: 'u', target: 'slowSum', arguments: [], streamIds: ['s'] });
    client.send({ type: MessageType.StreamItem, invocationId: 's', item: 1 });
    assert.equal(client.connection.paused, false);
    client.send({ type: MessageType.StreamItem, invocationId: 's', item: 2 });
    assert.equal(client.connection.paused, true);
    probe.gate('slowSum').resolve(undefined);
    client.send({ type: MessageType.Completion, invocationId: 's' });
    assert.equal((await client.completion('u')).result, 3);
    assert.equal(client.connection.paused, false);
  });
});

test('upload invocations do not take a parallel-invocation slot', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.Invocation, invocationId: 'u', target: 'sum', arguments: [], streamIds: ['s'] });
    // The slot is free: this runs while the upload is still open.
    assert.equal((await client.invoke('echo', 'x')).result, 'x');
    client.send({ type: MessageType.Completion, invocationId: 's' });
    assert.equal((await client.completion('u')).result, 0);
  });
});

test('a stream waits while its client has more than 64 KiB queued, and goes on once it drains', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.connection.bufferedAmount = 100_000;
    const id = client.stream('counter', 3);
    await client.waitFor((m) => m.type === MessageType.StreamItem && m.invocationId === id);
    await settle();
    assert.deepEqual(client.itemsOf(id), [0], 'paused after the first item');
    client.connection.bufferedAmount = 0;
    await client.completion(id);
    assert.deepEqual(client.itemsOf(id), [0, 1, 2]);
  });
});

test('a stream paused for a slow client still stops on cancel', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.connection.bufferedAmount = 100_000;
    const id = client.stream('endless');
    await client.waitFor((m) => m.type === MessageType.StreamItem && m.invocationId === id);
    client.send({ type: MessageType.CancelInvocation, invocationId: id });
    assert.equal((await client.completion(id)).error, undefined);
  });
});
