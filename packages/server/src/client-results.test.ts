import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type InvocationMessage } from '@switchyard/protocol';
import { Hub } from './hub.js';
import { HubHarness, settle } from './test-support/hub-harness.js';
import { TestHub, probe } from './test-support/test-hub.js';

beforeEach(() => probe.reset());

async function withHub(
  options: ConstructorParameters<typeof HubHarness>[1],
  run: (harness: HubHarness) => Promise<void>,
  hubClass: ConstructorParameters<typeof HubHarness>[0] = TestHub,
): Promise<void> {
  const harness = new HubHarness(hubClass, options);
  try {
    await run(harness);
  } finally {
    await harness.close();
  }
}

const isServerInvocation = (m: { type: number }): boolean =>
  m.type === MessageType.Invocation && (m as InvocationMessage).invocationId !== undefined;

test('a client result: the server invokes with its own id and routes the Completion back', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const call = client.invoke('askCaller', 'GetNumber');
    const invocation = (await client.waitFor(isServerInvocation, 'server invocation')) as InvocationMessage;
    assert.equal(invocation.target, 'GetNumber');
    assert.match(invocation.invocationId!, /^s\d+$/);
    client.send({ type: MessageType.Completion, invocationId: invocation.invocationId!, result: 42 });
    assert.equal((await call).result, 42);
  });
});

test("a client's error answer reaches the hub method as a HubException", async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const call = client.invoke('askCaller', 'GetNumber');
    const invocation = (await client.waitFor(isServerInvocation)) as InvocationMessage;
    client.send({ type: MessageType.Completion, invocationId: invocation.invocationId!, error: "Client didn't provide a result." });
    assert.equal(
      (await call).error,
      "An unexpected error occurred invoking 'askCaller' on the server. HubException: Client didn't provide a result.",
    );
  });
});

test('a Completion from another connection does not settle a client result', async () => {
  await withHub({}, async (hub) => {
    const asked = await hub.connect();
    const other = await hub.connect();
    const call = asked.invoke('askCaller', 'GetNumber');
    const invocation = (await asked.waitFor(isServerInvocation)) as InvocationMessage;
    other.send({ type: MessageType.Completion, invocationId: invocation.invocationId!, result: 666 });
    asked.send({ type: MessageType.Completion, invocationId: invocation.invocationId!, result: 7 });
    assert.equal((await call).result, 7);
  });
});

test('client results time out after clientResultTimeoutMs, checked on the heartbeat', async () => {
  await withHub({ clientResultTimeoutMs: 1000, enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    const call = client.invoke('askCaller', 'GetNumber');
    await client.waitFor(isServerInvocation);
    hub.advance(999);
    await settle();
    assert.equal(client.ofType(MessageType.Completion).length, 0);
    hub.advance(1);
    const error = (await call).error!;
    assert.match(error, /^An unexpected error occurred invoking 'askCaller' on the server\. TimeoutException: Connection '.+' did not answer/);
  });
});

test('a disconnect fails pending client results with "Connection \'{id}\' disconnected."', async () => {
  await withHub({}, async (hub) => {
    const asker = await hub.connect();
    const target = await hub.connect();
    const call = asker.invoke('askClient', target.connectionId);
    await target.waitFor(isServerInvocation);
    target.connection.drop();
    assert.equal(
      (await call).error,
      `An unexpected error occurred invoking 'askClient' on the server.`,
    );
  });
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const asker = await hub.connect();
    const target = await hub.connect();
    const call = asker.invoke('askClient', target.connectionId);
    await target.waitFor(isServerInvocation);
    target.send({ type: MessageType.Close });
    assert.equal(
      (await call).error,
      `An unexpected error occurred invoking 'askClient' on the server. IOException: Connection '${target.connectionId}' disconnected.`,
    );
  });
});

test('invoking an unknown connection fails with "does not exist"', async () => {
  await withHub({}, async (hub) => {
    await assert.rejects(hub.context().clients.client('nobody').invoke('GetNumber'), {
      code: 'ERR_HUB_CONNECTION_NOT_FOUND',
      message: "Connection 'nobody' does not exist.",
    });
  });
});

test('hubContext can ask a client for a result', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const result = hub.context().clients.client(client.connectionId).invoke<number>('GetNumber', 1);
    const invocation = (await client.waitFor(isServerInvocation)) as InvocationMessage;
    assert.deepEqual(invocation.arguments, [1]);
    client.send({ type: MessageType.Completion, invocationId: invocation.invocationId!, result: 5 });
    assert.equal(await result, 5);
  });
});

class InvokesOnConnected extends Hub {
  override async onConnected(): Promise<void> {
    try {
      await this.clients.caller.invoke('GetNumber');
    } catch (error) {
      probe.events.push((error as Error).message);
    }
  }
}

test('invoke is refused in onConnected', async () => {
  await withHub(
    {},
    async (hub) => {
      await hub.connect();
      assert.deepEqual(probe.events, ['Client results inside OnConnectedAsync Hub methods are not allowed.']);
    },
    InvokesOnConnected,
  );
});

test('with one invocation at a time, later invocations wait in order and the connection stops reading', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const first = client.invoke('wait', 'a');
    const second = client.invoke('wait', 'b');
    const third = client.invoke('echo', 3);
    await settle();
    assert.deepEqual(probe.events, ['start:a']);
    assert.equal(client.connection.paused, true);
    probe.gate('a').resolve('A');
    assert.equal((await first).result, 'A');
    await settle();
    assert.deepEqual(probe.events, ['start:a', 'end:a', 'start:b']);
    probe.gate('b').resolve('B');
    assert.equal((await second).result, 'B');
    assert.equal((await third).result, 3);
    assert.equal(client.connection.paused, false);
  });
});

test('streaming invocations bypass the invocation limit', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const held = client.invoke('wait', 'a');
    const id = client.stream('counter', 2);
    assert.equal((await client.completion(id)).error, undefined);
    probe.gate('a').resolve(1);
    await held;
  });
});

test('maximumParallelInvocationsPerClient lets that many run at once', async () => {
  await withHub({ maximumParallelInvocationsPerClient: 2 }, async (hub) => {
    const client = await hub.connect();
    const a = client.invoke('wait', 'a');
    const b = client.invoke('wait', 'b');
    const c = client.invoke('wait', 'c');
    await settle();
    assert.deepEqual(probe.events, ['start:a', 'start:b']);
    probe.gate('b').resolve('B');
    assert.equal((await b).result, 'B');
    await settle();
    assert.deepEqual(probe.events, ['start:a', 'start:b', 'end:b', 'start:c']);
    probe.gate('a').resolve('A');
    probe.gate('c').resolve('C');
    assert.deepEqual([(await a).result, (await c).result], ['A', 'C']);
  });
});

test('a method awaiting a client result frees its slot, so the answer and later invocations are read', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const asking = client.invoke('askCaller', 'GetNumber');
    const invocation = (await client.waitFor(isServerInvocation)) as InvocationMessage;
    // Another invocation first, then the answer: with the slot held this would dead-lock.
    const echo = client.invoke('echo', 'meanwhile');
    client.send({ type: MessageType.Completion, invocationId: invocation.invocationId!, result: 9 });
    assert.equal((await echo).result, 'meanwhile');
    assert.equal((await asking).result, 9);
  });
});
