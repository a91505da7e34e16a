import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '@switchyard/protocol';
import { HubHarness } from './test-support/hub-harness.js';
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

test('an invocation answers with its result; a void method answers "result":null', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    assert.deepEqual(await client.invoke('echo', 'hi'), { type: MessageType.Completion, invocationId: '0', result: 'hi' });
    assert.equal((await client.invoke('echoAsync', 42)).result, 42);
    const empty = await client.invoke('nothing');
    assert.equal(empty.result, null);
    assert.ok(Object.hasOwn(empty, 'result'));
    assert.equal(empty.error, undefined);
  });
});

test('method lookup is case-insensitive; private and lifecycle methods are not callable', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    assert.equal((await client.invoke('ECHO', 'x')).result, 'x');
    assert.equal((await client.invoke('_private')).error, "Unknown hub method '_private'");
    assert.equal((await client.invoke('onConnected')).error, "Unknown hub method 'onConnected'");
    assert.equal((await client.invoke('constructor')).error, "Unknown hub method 'constructor'");
  });
});

test('a non-blocking send answers nothing, not even errors', async () => {
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    client.sendInvocation('echo', 'x');
    client.sendInvocation('missing');
    client.sendInvocation('throwError', 'boom');
    client.sendInvocation('add', 1);
    // With one invocation at a time, this completes after the sends above have run.
    await client.invoke('nothing');
    assert.deepEqual(
      client.received.map((m) => m.type),
      [MessageType.Completion],
    );
  });
});

test('unknown method and wrong argument count use the .NET texts', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    assert.equal((await client.invoke('nope')).error, "Unknown hub method 'nope'");
    assert.equal((await client.invoke('add', 1)).error, "Failed to invoke 'add' due to an error on the server.");
  });
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    assert.equal(
      (await client.invoke('add', 1, 2, 3)).error,
      "Failed to invoke 'add' due to an error on the server. InvalidDataException: Invocation provides 3 argument(s) but target expects 2.",
    );
  });
});

test('a throwing method: generic text, detail with detailed errors, HubException always shown', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    assert.equal((await client.invoke('throwError', 'secret')).error, "An unexpected error occurred invoking 'throwError' on the server.");
    assert.equal(
      (await client.invoke('throwHubException', 'Something bad')).error,
      "An unexpected error occurred invoking 'throwHubException' on the server. HubException: Something bad",
    );
  });
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    assert.equal(
      (await client.invoke('throwError', 'An error occurred.')).error,
      "An unexpected error occurred invoking 'throwError' on the server. InvalidOperationException: An error occurred.",
    );
  });
});

test('a result that cannot be encoded becomes an error Completion and the connection stays open', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    assert.equal((await client.invoke('returnBigInt')).error, "An unexpected error occurred invoking 'returnBigInt' on the server.");
    assert.equal((await client.invoke('echo', 'still here')).result, 'still here');
  });
});

test('stream mode mismatches use both .NET texts', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    assert.equal(
      (await client.invoke('counter', 3)).error,
      "The client attempted to invoke the streaming 'counter' method with a non-streaming invocation.",
    );
    const id = client.stream('echo', 'x');
    assert.equal(
      (await client.completion(id)).error,
      "The client attempted to invoke the non-streaming 'echo' method with a streaming invocation.",
    );
  });
});

test('method authorization: refused callers get the unauthorized text, allowed ones run', async () => {
  const options = { authorization: { methods: { Echo: true as const, add: (user: { userId?: string }) => user.userId === 'ann' } } };
  await withHub(options, async (hub) => {
    const anonymous = await hub.connect();
    assert.equal((await anonymous.invoke('echo', 'x')).error, "Failed to invoke 'echo' because user is unauthorized");
    const bob = await hub.connect({ user: { userId: 'bob', claims: {} } });
    assert.equal((await bob.invoke('echo', 'x')).result, 'x');
    assert.equal((await bob.invoke('add', 1, 2)).error, "Failed to invoke 'add' because user is unauthorized");
    const ann = await hub.connect({ user: { userId: 'ann', claims: {} } });
    assert.equal((await ann.invoke('add', 1, 2)).result, 3);
  });
});

test('an authorization policy naming no method is rejected when the hub is mapped', () => {
  assert.throws(() => new HubHarness(TestHub, { authorization: { methods: { missing: true } } }), { code: 'ERR_HUB_INVALID_HUB' });
});
