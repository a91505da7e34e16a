import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { JsonHubProtocol, MessageType, type CloseMessage } from '@switchyard/protocol';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { Hub } from './hub.js';
import { HubHarness, settle } from './test-support/hub-harness.js';
import { InvalidOperationException, probe } from './test-support/test-hub.js';

beforeEach(() => probe.reset());

class LifecycleHub extends Hub {
  override onConnected(): void {
    if (this.context.request.url.searchParams.has('fail')) throw new InvalidOperationException('no entry');
    probe.events.push('connected');
  }
  override onDisconnected(error?: Error): void {
    probe.disconnectErrors.push(error);
  }
  echo(value: unknown): unknown {
    return value;
  }
  abort(): void {
    this.context.abort();
  }
}

class FailingHub extends Hub {
  override onConnected(): void {
    throw new InvalidOperationException('no entry');
  }
  override onDisconnected(): void {
    probe.events.push('disconnected');
  }
}

async function withHub(
  options: ConstructorParameters<typeof HubHarness>[1],
  run: (harness: HubHarness) => Promise<void>,
  hubClass: ConstructorParameters<typeof HubHarness>[0] = LifecycleHub,
): Promise<void> {
  const harness = new HubHarness(hubClass, options);
  try {
    await run(harness);
  } finally {
    await harness.close();
  }
}

const closeOf = (messages: readonly { type: number }[]): CloseMessage | undefined =>
  messages.find((m) => m.type === MessageType.Close) as CloseMessage | undefined;

test('handshake refusals use the .NET texts and end the connection', async () => {
  await withHub({ protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()] }, async (hub) => {
    const cases: Array<[string, number, string, 'WebSockets' | 'ServerSentEvents']> = [
      ['foo', 1, "The protocol 'foo' is not supported.", 'WebSockets'],
      ['json', 3, "The server does not support version 3 of the 'json' protocol.", 'WebSockets'],
      [
        'messagepack',
        1,
        "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format.",
        'ServerSentEvents',
      ],
    ];
    for (const [protocol, version, error, transport] of cases) {
      const client = await hub.connect({ handshake: false, transport });
      assert.deepEqual(await client.handshake(protocol, version), { error });
      assert.equal(client.connection.closed, true);
    }
    assert.deepEqual(probe.events, []);
  });
});

test('versions up to 2 are accepted; MessagePack switches the transport to binary frames', async () => {
  const msgpack = new MessagePackHubProtocol();
  await withHub({ protocols: [new JsonHubProtocol(), msgpack] }, async (hub) => {
    const json = await hub.connect({ handshake: false });
    assert.deepEqual(await json.handshake('json', 2), {});
    assert.equal(json.connection.transferFormat, 'Text');
    const binary = await hub.connect({ handshake: false, protocol: msgpack });
    assert.deepEqual(await binary.handshake('MessagePack', 1), {});
    assert.equal(binary.connection.transferFormat, 'Binary');
    await settle();
    assert.equal((await binary.invoke('echo', new Uint8Array([1, 2]))).result instanceof Uint8Array, true);
  });
});

test('a malformed or oversized handshake is refused', async () => {
  await withHub({ maximumReceiveMessageSize: 64 }, async (hub) => {
    const malformed = await hub.connect({ handshake: false });
    malformed.connection.receive('{"protocol":"json"}\x1e');
    await settle();
    assert.deepEqual(malformed.handshakeResponse, { error: 'An unexpected error occurred during connection handshake.' });
    const huge = await hub.connect({ handshake: false });
    huge.connection.receive(`{"protocol":"json","version":1,"padding":"${'x'.repeat(100)}"}\x1e`);
    await settle();
    assert.deepEqual(huge.handshakeResponse, { error: 'Handshake was canceled.' });
  });
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const malformed = await hub.connect({ handshake: false });
    malformed.connection.receive('{"protocol":"json"}\x1e');
    await settle();
    assert.deepEqual(malformed.handshakeResponse, {
      error: "An unexpected error occurred during connection handshake. InvalidDataException: Missing required property 'version'.",
    });
  });
});

test('a handshake that does not arrive in time is canceled', async () => {
  await withHub({ handshakeTimeoutMs: 5000 }, async (hub) => {
    const client = await hub.connect({ handshake: false });
    client.connection.receive('{"protocol":');
    hub.advance(4999);
    assert.equal(client.connection.closed, false);
    hub.advance(1);
    assert.deepEqual(client.handshakeResponse, { error: 'Handshake was canceled.' });
    assert.equal(client.connection.closed, true);
  });
});

test('records split across chunks, and messages sharing the handshake chunk, are read', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect({ handshake: false });
    const invocation = '{"type":1,"invocationId":"a","target":"echo","arguments":["same chunk"]}\x1e';
    client.connection.receive('{"protocol":"json",');
    client.connection.receive(`"version":1}\x1e${invocation}{"type":1,"invocationId":"b",`);
    client.connection.receive('"target":"echo","arguments":["split"]}\x1e');
    assert.equal((await client.completion('a')).result, 'same chunk');
    assert.equal((await client.completion('b')).result, 'split');
  });
});

test('keep-alive: a Ping after keepAliveIntervalMs without sending, never on long polling', async () => {
  await withHub({ keepAliveIntervalMs: 1000 }, async (hub) => {
    const ws = await hub.connect();
    const lp = await hub.connect({ transport: 'LongPolling' });
    hub.advance(999);
    assert.equal(ws.ofType(MessageType.Ping).length, 0);
    hub.advance(1);
    assert.equal(ws.ofType(MessageType.Ping).length, 1);
    hub.advance(500);
    await ws.invoke('echo', 'sends count as activity');
    hub.advance(600);
    assert.equal(ws.ofType(MessageType.Ping).length, 1);
    hub.advance(5000);
    assert.equal(lp.ofType(MessageType.Ping).length, 0);
  });
});

test('client timeout: armed by the first client Ping, reset by any message, closes with an error', async () => {
  await withHub({ clientTimeoutMs: 3000, keepAliveIntervalMs: 100_000 }, async (hub) => {
    const silent = await hub.connect();
    hub.advance(10_000);
    assert.equal(silent.connection.closed, false, 'not armed before a Ping');

    const client = await hub.connect();
    client.send({ type: MessageType.Ping });
    hub.advance(2000);
    client.sendInvocation('echo', 1);
    hub.advance(2000);
    assert.equal(client.connection.closed, false);
    hub.advance(1000);
    assert.equal(client.connection.closed, true);
    assert.deepEqual(closeOf(client.received), { type: MessageType.Close, error: 'Connection closed with an error.', allowReconnect: true });
    await settle();
    assert.equal(probe.disconnectErrors.at(-1)?.name, 'OperationCanceledException');
  });
  await withHub({ clientTimeoutMs: 3000, enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.Ping });
    hub.advance(3000);
    assert.equal(
      closeOf(client.received)?.error,
      "Connection closed with an error. OperationCanceledException: Client hasn't sent a message/ping within the configured ClientTimeoutInterval.",
    );
  });
});

test('a message over maximumReceiveMessageSize closes that connection with the .NET text', async () => {
  await withHub({ maximumReceiveMessageSize: 100 }, async (hub) => {
    const client = await hub.connect();
    const bystander = await hub.connect();
    client.sendInvocation('echo', 'x'.repeat(200));
    await settle();
    assert.deepEqual(closeOf(client.received), { type: MessageType.Close, error: 'Connection closed with an error.', allowReconnect: true });
    assert.equal((await bystander.invoke('echo', 'fine')).result, 'fine');
  });
  await withHub({ maximumReceiveMessageSize: 100, enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    client.sendInvocation('echo', 'x'.repeat(200));
    await settle();
    assert.equal(
      closeOf(client.received)?.error,
      'Connection closed with an error. InvalidDataException: The maximum message size of 100B was exceeded. The message size can be configured in AddHubOptions.',
    );
  });
});

test('malformed input closes only that connection, with the error passed to onDisconnected', async () => {
  await withHub({ enableDetailedErrors: true }, async (hub) => {
    const client = await hub.connect();
    const bystander = await hub.connect();
    client.connection.receive('this is not json\x1e');
    await settle();
    const close = closeOf(client.received)!;
    assert.match(close.error!, /^Connection closed with an error\. InvalidDataException: /);
    assert.equal(close.allowReconnect, true);
    assert.equal(client.connection.closed, true);
    assert.equal(probe.disconnectErrors[0]?.name, 'InvalidDataException');
    assert.equal((await bystander.invoke('echo', 1)).result, 1);
  });
});

test('a client Close: Close without allowReconnect, onDisconnected(undefined) exactly once', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.send({ type: MessageType.Close });
    client.connection.drop(new Error('late transport error'));
    await settle();
    assert.deepEqual(closeOf(client.received), { type: MessageType.Close });
    assert.deepEqual(probe.disconnectErrors, [undefined]);
  });
});

test('context.abort(): Close without allowReconnect and a graceful onDisconnected', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    client.sendInvocation('abort');
    await settle();
    assert.deepEqual(closeOf(client.received), { type: MessageType.Close });
    assert.deepEqual(probe.disconnectErrors, [undefined]);
  });
});

test('server shutdown: Close with allowReconnect, onDisconnected(undefined)', async () => {
  const hub = new HubHarness(LifecycleHub);
  const client = await hub.connect();
  await hub.close();
  assert.deepEqual(closeOf(client.received), { type: MessageType.Close, allowReconnect: true });
  assert.deepEqual(probe.disconnectErrors, [undefined]);
});

test('a transport failure reaches onDisconnected as the error', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect();
    const failure = new Error('socket reset');
    client.connection.drop(failure);
    await settle();
    assert.deepEqual(probe.disconnectErrors, [failure]);
  });
});

test('onConnected throwing: Close with the error and no allowReconnect, and no onDisconnected', async () => {
  await withHub(
    {},
    async (hub) => {
      const client = await hub.connect();
      await settle();
      assert.deepEqual(closeOf(client.received), { type: MessageType.Close, error: 'Connection closed with an error.' });
      assert.deepEqual(probe.events, []);
      assert.equal(client.connection.closed, true);
    },
    FailingHub,
  );
  await withHub(
    { enableDetailedErrors: true },
    async (hub) => {
      const client = await hub.connect();
      await settle();
      assert.equal(closeOf(client.received)?.error, 'Connection closed with an error. InvalidOperationException: no entry');
    },
    FailingHub,
  );
});

test('invocations sent during onConnected wait for it', async () => {
  class SlowConnect extends Hub {
    override async onConnected(): Promise<void> {
      await probe.gate('connect').promise;
      probe.events.push('connected');
    }
    echo(value: unknown): unknown {
      probe.events.push('echo');
      return value;
    }
  }
  await withHub(
    {},
    async (hub) => {
      const client = await hub.connect({ handshake: false });
      await client.handshake();
      const echo = client.invoke('echo', 1);
      await settle();
      assert.deepEqual(probe.events, []);
      probe.gate('connect').resolve(undefined);
      assert.equal((await echo).result, 1);
      assert.deepEqual(probe.events, ['connected', 'echo']);
    },
    SlowConnect,
  );
});

test('stateful reconnect: received messages are acknowledged on the heartbeat (version 2 only)', async () => {
  await withHub({}, async (hub) => {
    const client = await hub.connect({ handshake: false, statefulReconnect: true });
    await client.handshake('json', 2);
    await settle();
    client.send({ type: MessageType.Ping });
    hub.advance(10);
    assert.equal(client.ofType(MessageType.Ack).length, 0, 'Pings are not tracked');
    await client.invoke('echo', 1);
    client.sendInvocation('echo', 2);
    hub.advance(10);
    hub.advance(10);
    assert.deepEqual(client.ofType(MessageType.Ack), [{ type: MessageType.Ack, sequenceId: 2 }]);

    const versionOne = await hub.connect({ handshake: false, statefulReconnect: true });
    await versionOne.handshake('json', 1);
    await versionOne.invoke('echo', 1);
    hub.advance(10);
    assert.equal(versionOne.ofType(MessageType.Ack).length, 0);
  });
});
