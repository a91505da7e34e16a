import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonHubProtocol, MessageType, type HubMessage, type HubProtocol, type InvocationMessage, type ParseOptions, type ParseResult } from '@switchyard/protocol';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { Hub } from '../hub.js';
import { HubHarness, settle } from '../test-support/hub-harness.js';
import type { TestClient } from '../test-support/test-client.js';

class TargetsHub extends Hub {
  async join(group: string): Promise<void> {
    await this.groups.add(this.context.connectionId, group);
  }
  async leave(group: string): Promise<void> {
    await this.groups.remove(this.context.connectionId, group);
  }
  async toCaller(text: string): Promise<void> {
    await this.clients.caller.send('Receive', text);
  }
  async toOthers(text: string): Promise<void> {
    await this.clients.others.send('Receive', text);
  }
  async toOthersInGroup(group: string, text: string): Promise<void> {
    await this.clients.othersInGroup(group).send('Receive', text);
  }
}

/** Counts encodings, to prove a broadcast is encoded once per protocol. */
class CountingProtocol implements HubProtocol {
  writes = 0;
  readonly #inner: HubProtocol;
  constructor(inner: HubProtocol) {
    this.#inner = inner;
  }
  get name(): string {
    return this.#inner.name;
  }
  get version(): number {
    return this.#inner.version;
  }
  get transferFormat(): HubProtocol['transferFormat'] {
    return this.#inner.transferFormat;
  }
  parseMessages(input: Uint8Array | string, options?: ParseOptions): ParseResult {
    return this.#inner.parseMessages(input, options);
  }
  writeMessage(message: HubMessage): Uint8Array {
    this.writes++;
    return this.#inner.writeMessage(message);
  }
}

/** Texts of the `Receive` calls a client got, in order. */
function received(client: TestClient): unknown[] {
  return client
    .ofType(MessageType.Invocation)
    .filter((m: InvocationMessage) => m.target === 'Receive')
    .map((m: InvocationMessage) => m.arguments[0]);
}

async function withClients(count: number, run: (hub: HubHarness, clients: TestClient[]) => Promise<void>): Promise<void> {
  const hub = new HubHarness(TargetsHub);
  try {
    const clients: TestClient[] = [];
    for (let i = 0; i < count; i++) {
      clients.push(await hub.connect({ user: { userId: i < 2 ? 'ann' : `user${i}`, claims: {} } }));
    }
    await run(hub, clients);
  } finally {
    await hub.close();
  }
}

test('targets: all, client, clients, allExcept, user, users', async () => {
  await withClients(4, async (hub, [a, b, c, d]) => {
    const { clients } = hub.context();
    await clients.all.send('Receive', 'all');
    await clients.client(b!.connectionId).send('Receive', 'client');
    await clients.clients([c!.connectionId, d!.connectionId]).send('Receive', 'clients');
    await clients.allExcept([a!.connectionId, d!.connectionId]).send('Receive', 'allExcept');
    await clients.user('ann').send('Receive', 'user');
    await clients.users(['user2', 'user3']).send('Receive', 'users');
    await clients.client('nobody').send('Receive', 'lost');
    await settle();
    assert.deepEqual(received(a!), ['all', 'user']);
    assert.deepEqual(received(b!), ['all', 'client', 'allExcept', 'user']);
    assert.deepEqual(received(c!), ['all', 'clients', 'allExcept', 'users']);
    assert.deepEqual(received(d!), ['all', 'clients', 'users']);
  });
});

test('caller, others and othersInGroup are relative to the calling connection', async () => {
  await withClients(3, async (_hub, [a, b, c]) => {
    await a!.invoke('join', 'room');
    await b!.invoke('join', 'room');
    await a!.invoke('toCaller', 'caller');
    await a!.invoke('toOthers', 'others');
    await a!.invoke('toOthersInGroup', 'room', 'othersInGroup');
    await settle();
    assert.deepEqual(received(a!), ['caller']);
    assert.deepEqual(received(b!), ['others', 'othersInGroup']);
    assert.deepEqual(received(c!), ['others']);
  });
});

test('groups: case-sensitive names, idempotent add and remove, dropped on disconnect', async () => {
  await withClients(3, async (hub, [a, b, c]) => {
    const { clients, groups } = hub.context();
    await groups.add(a!.connectionId, 'Room');
    await groups.add(a!.connectionId, 'Room');
    await groups.add(b!.connectionId, 'room');
    await groups.add(c!.connectionId, 'Room');
    await groups.add('nobody', 'Room');
    await clients.group('Room').send('Receive', 'Room');
    await clients.groupExcept('Room', [c!.connectionId]).send('Receive', 'groupExcept');
    await clients.groups(['Room', 'room']).send('Receive', 'groups');
    await groups.remove(a!.connectionId, 'Room');
    await groups.remove(a!.connectionId, 'Room');
    await clients.group('Room').send('Receive', 'after remove');
    c!.connection.drop();
    await settle();
    await clients.group('Room').send('Receive', 'after disconnect');
    await settle();
    assert.deepEqual(received(a!), ['Room', 'groupExcept', 'groups']);
    assert.deepEqual(received(b!), ['groups']);
    assert.deepEqual(received(c!), ['Room', 'groups', 'after remove']);
  });
});

test('a connection in several targeted groups receives the message once per group, as in .NET', async () => {
  await withClients(1, async (hub, [a]) => {
    const { clients, groups } = hub.context();
    await groups.add(a!.connectionId, 'one');
    await groups.add(a!.connectionId, 'two');
    await clients.groups(['one', 'two']).send('Receive', 'twice');
    await settle();
    assert.deepEqual(received(a!), ['twice', 'twice']);
  });
});

test('a broadcast is encoded once per protocol in use, and the same bytes go to every connection', async () => {
  const json = new CountingProtocol(new JsonHubProtocol());
  const msgpack = new CountingProtocol(new MessagePackHubProtocol());
  const hub = new HubHarness(TargetsHub, { protocols: [json, msgpack] });
  try {
    const jsonClients = [await hub.connect(), await hub.connect(), await hub.connect()];
    const { clients, groups } = hub.context();
    json.writes = 0;
    msgpack.writes = 0;
    await clients.all.send('Receive', 'json only');
    assert.deepEqual([json.writes, msgpack.writes], [1, 0], 'no MessagePack recipient: not encoded');
    const shared = jsonClients[0]!.connection.sent.at(-1);
    for (const client of jsonClients) assert.equal(client.connection.sent.at(-1), shared);

    const binaryClients = [await hub.connect({ protocol: msgpack }), await hub.connect({ protocol: msgpack })];
    for (const client of [...jsonClients, ...binaryClients]) await groups.add(client.connectionId, 'everyone');
    json.writes = 0;
    msgpack.writes = 0;
    await clients.group('everyone').send('Receive', 'both');
    await clients.all.send('Receive', 'both again');
    assert.deepEqual([json.writes, msgpack.writes], [2, 2]);
    await settle();
    for (const client of binaryClients) assert.deepEqual(received(client), ['both', 'both again']);
  } finally {
    await hub.close();
  }
});

test('a send whose arguments cannot be encoded rejects without breaking the connection', async () => {
  await withClients(1, async (hub, [a]) => {
    await assert.rejects(hub.context().clients.all.send('Receive', 1n), { code: 'ERR_PROTOCOL_UNSERIALIZABLE_VALUE' });
    await hub.context().clients.all.send('Receive', 'fine');
    await settle();
    assert.deepEqual(received(a!), ['fine']);
  });
});
