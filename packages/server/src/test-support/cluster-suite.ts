/**
 * Cluster behaviour of ScaledHubLifetimeManager over a real backplane: three servers (hub endpoints
 * on fake connections, manual heartbeats), each with its own backplane on one broker.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonHubProtocol, MessageType, type HubMessage, type HubProtocol, type InvocationMessage, type ParseOptions, type ParseResult } from '@switchyard/protocol';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { HubErrorCode, HubException, isHubError } from '../errors.js';
import { Hub } from '../hub.js';
import type { HubContext } from '../hub-context.js';
import { ScaledHubLifetimeManager } from '../scaleout/scaled-hub-lifetime-manager.js';
import { BackplanePool, uniqueHub, type BackplaneFactory } from './backplane-pool.js';
import { HubHarness } from './hub-harness.js';
import { RecordingBackplane } from './recording-backplane.js';
import { withTimeout, type TestClient } from './test-client.js';

const ACK_TIMEOUT_MS = 5_000;

class ClusterHub extends Hub {
  whoAmI(): string {
    return this.context.connectionId;
  }
  async join(group: string): Promise<void> {
    await this.groups.add(this.context.connectionId, group);
  }
  async leave(group: string): Promise<void> {
    await this.groups.remove(this.context.connectionId, group);
  }
}

/** Counts encodings, to prove a message crosses servers encoded once per protocol. */
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
    if (message.type === MessageType.Invocation && message.target === 'Receive') this.writes++;
    return this.#inner.writeMessage(message);
  }
}

interface Server {
  readonly harness: HubHarness;
  readonly backplane: RecordingBackplane;
  readonly context: HubContext;
  readonly protocols: readonly HubProtocol[];
}

class Cluster {
  readonly servers: Server[] = [];
  readonly #pool: BackplanePool;
  readonly #hub = uniqueHub();

  constructor(factory: BackplaneFactory) {
    this.#pool = new BackplanePool(factory);
  }

  async start(count: number, protocolsOf: () => HubProtocol[] = () => [new JsonHubProtocol()]): Promise<Server[]> {
    const backplanes = await Promise.all(Array.from({ length: count }, () => this.#pool.create()));
    for (const inner of backplanes) {
      const backplane = new RecordingBackplane(inner);
      const protocols = protocolsOf();
      const harness = new HubHarness(ClusterHub, {
        protocols,
        createManager: (heartbeat, all) =>
          new ScaledHubLifetimeManager({ backplane, hubName: this.#hub, protocols: all, heartbeat, ackTimeoutMs: ACK_TIMEOUT_MS }),
      });
      this.servers.push({ harness, backplane, context: harness.context(), protocols });
    }
    return this.servers;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.harness.close()));
    await this.#pool.closeAll();
  }
}

async function withCluster(factory: BackplaneFactory, run: (cluster: Cluster) => Promise<void>): Promise<void> {
  const cluster = new Cluster(factory);
  try {
    await run(cluster);
  } finally {
    await cluster.close();
  }
}

/** A client of `server`, fully registered (its subscriptions confirmed) when this resolves. */
async function connect(server: Server, options: { user?: string; protocol?: HubProtocol } = {}): Promise<TestClient> {
  const client = await server.harness.connect({
    user: options.user === undefined ? undefined : { userId: options.user, claims: {} },
    protocol: options.protocol,
  });
  // Invocations wait for onConnected, which waits for the broker to confirm the subscriptions.
  const completion = await client.invoke('whoAmI');
  assert.equal(completion.result, client.connectionId);
  return client;
}

async function call(client: TestClient, method: string, ...args: unknown[]): Promise<void> {
  const completion = await client.invoke(method, ...args);
  assert.equal(completion.error, undefined, `${method} failed: ${completion.error ?? ''}`);
}

function receivedTexts(client: TestClient): unknown[] {
  return client
    .ofType(MessageType.Invocation)
    .filter((message: InvocationMessage) => message.target === 'Receive')
    .map((message: InvocationMessage) => message.arguments[0]);
}

function waitReceive(client: TestClient, text: string): Promise<HubMessage> {
  return client.waitFor((m) => m.type === MessageType.Invocation && m.target === 'Receive' && m.arguments[0] === text, `Receive('${text}') at ${client.connectionId}`);
}

/** Retries `check` until it passes (state that settles asynchronously, such as an unsubscribe). */
async function eventually(check: () => void, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`never happened: ${what}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Advances `server`'s manual clock past the ack timeout until `promise` settles. */
async function outwait<T>(server: Server, promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (!settled && Date.now() < deadline) {
    server.harness.advance(ACK_TIMEOUT_MS + 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return withTimeout(watched, 'the ack timeout');
}

export function runClusterSuite(pool: BackplanePool): void {
  const factory: BackplaneFactory = () => pool.create();
  describe('cluster over it (ScaledHubLifetimeManager)', () => {
    test('sends to all: every connection on every server once, except the excluded', () =>
      withCluster(factory, async (cluster) => {
        const [a, b, c] = await cluster.start(3);
        const [a1, b1, b2, c1] = [await connect(a!), await connect(b!), await connect(b!), await connect(c!)];
        await a!.context.clients.all.send('Receive', 'm1');
        await a!.context.clients.allExcept([b1.connectionId]).send('Receive', 'm2');
        await a!.context.clients.all.send('Receive', 'm3');
        for (const client of [a1, b1, b2, c1]) await waitReceive(client, 'm3');
        assert.deepEqual(receivedTexts(a1), ['m1', 'm2', 'm3']);
        assert.deepEqual(receivedTexts(b1), ['m1', 'm3']);
        assert.deepEqual(receivedTexts(b2), ['m1', 'm2', 'm3']);
        assert.deepEqual(receivedTexts(c1), ['m1', 'm2', 'm3']);
      }));

    test('sends to a group across servers; only servers holding a member subscribe to it', () =>
      withCluster(factory, async (cluster) => {
        const [a, b, c] = await cluster.start(3);
        const [a1, b1, c1] = [await connect(a!), await connect(b!), await connect(c!)];
        await call(a1, 'join', 'g');
        await call(b1, 'join', 'g');
        await c!.context.clients.group('g').send('Receive', 'x');
        await c!.context.clients.groupExcept('g', [b1.connectionId]).send('Receive', 'y');
        await c!.context.clients.groups(['g', 'empty']).send('Receive', 'z');
        await waitReceive(a1, 'z');
        await waitReceive(b1, 'z');
        assert.deepEqual(receivedTexts(a1), ['x', 'y', 'z']);
        assert.deepEqual(receivedTexts(b1), ['x', 'z']);
        assert.deepEqual(receivedTexts(c1), []);
        assert.deepEqual(a!.backplane.activeWith('group:'), ['group:g']);
        assert.deepEqual(b!.backplane.activeWith('group:'), ['group:g']);
        assert.deepEqual(c!.backplane.activeWith('group:'), []);
        await call(b1, 'leave', 'g');
        await eventually(() => assert.deepEqual(b!.backplane.activeWith('group:'), []), 'B unsubscribes the group its last member left');
        assert.deepEqual(a!.backplane.activeWith('group:'), ['group:g']);
      }));

    test('sends to a user on every server holding one of its connections', () =>
      withCluster(factory, async (cluster) => {
        const [a, b, c] = await cluster.start(3);
        const [a1, b1, c1] = [await connect(a!, { user: 'ahmet' }), await connect(b!, { user: 'ahmet' }), await connect(c!, { user: 'mehmet' })];
        await c!.context.clients.user('ahmet').send('Receive', 'to ahmet');
        await c!.context.clients.users(['ahmet', 'mehmet']).send('Receive', 'to both');
        await waitReceive(a1, 'to both');
        await waitReceive(b1, 'to both');
        await waitReceive(c1, 'to both');
        assert.deepEqual(receivedTexts(a1), ['to ahmet', 'to both']);
        assert.deepEqual(receivedTexts(b1), ['to ahmet', 'to both']);
        assert.deepEqual(receivedTexts(c1), ['to both']);
        assert.deepEqual(a!.backplane.activeWith('user:'), ['user:ahmet']);
        assert.deepEqual(c!.backplane.activeWith('user:'), ['user:mehmet']);
      }));

    test('sends to a connection on another server, and to a list spread over servers', () =>
      withCluster(factory, async (cluster) => {
        const [a, b, c] = await cluster.start(3);
        const [a1, b1, c1] = [await connect(a!), await connect(b!), await connect(c!)];
        await a!.context.clients.client(b1.connectionId).send('Receive', 'one');
        await a!.context.clients.clients([a1.connectionId, b1.connectionId, c1.connectionId]).send('Receive', 'many');
        await waitReceive(b1, 'many');
        await waitReceive(c1, 'many');
        assert.deepEqual(receivedTexts(a1), ['many']);
        assert.deepEqual(receivedTexts(b1), ['one', 'many']);
        assert.deepEqual(receivedTexts(c1), ['many']);
      }));

    test('changes group membership of a connection held by another server, acknowledged by it', () =>
      withCluster(factory, async (cluster) => {
        const [a, b, c] = await cluster.start(3);
        const b1 = await connect(b!);
        await c!.context.groups.add(b1.connectionId, 'team');
        await c!.context.groups.add(b1.connectionId, 'team'); // idempotent
        assert.deepEqual(b!.backplane.activeWith('group:'), ['group:team']);
        await a!.context.clients.group('team').send('Receive', 'hello');
        await waitReceive(b1, 'hello');
        await c!.context.groups.remove(b1.connectionId, 'team');
        await eventually(() => assert.deepEqual(b!.backplane.activeWith('group:'), []), 'B unsubscribes the group');
        await c!.context.groups.remove(b1.connectionId, 'team'); // idempotent
      }));

    test('fails a group change for a connection no server holds once the ack timeout passes', () =>
      withCluster(factory, async (cluster) => {
        const [a] = await cluster.start(2);
        await assert.rejects(outwait(a!, a!.context.groups.add('no-such-connection', 'g')), (error: unknown) => {
          assert.ok(isHubError(error, HubErrorCode.BackplaneTimeout), String(error));
          assert.match(error.message, /no-such-connection.*'g'/);
          return true;
        });
      }));

    test('returns a client result from a connection on another server, value or error', () =>
      withCluster(factory, async (cluster) => {
        const [a, b] = await cluster.start(2);
        const b1 = await connect(b!);
        const answers = [{ result: 42 }, { error: 'Client refused.' }];
        const asked = [a!.context.clients.client(b1.connectionId).invoke('Answer', 'q1'), a!.context.clients.client(b1.connectionId).invoke('Answer', 'q2')];
        for (const [i, answer] of answers.entries()) {
          const invocation = (await b1.waitFor((m) => m.type === MessageType.Invocation && m.arguments[0] === `q${i + 1}`)) as InvocationMessage;
          assert.equal(invocation.target, 'Answer');
          b1.send({ type: MessageType.Completion, invocationId: invocation.invocationId!, ...answer });
        }
        assert.equal(await withTimeout(asked[0]!, 'the client result'), 42);
        await assert.rejects(asked[1]!, (error: unknown) => error instanceof HubException && error.message === 'Client refused.');
      }));

    test('fails a client result when the remote connection ends, or when no server holds it', () =>
      withCluster(factory, async (cluster) => {
        const [a, b] = await cluster.start(2);
        const b1 = await connect(b!);
        const asked = a!.context.clients.client(b1.connectionId).invoke('Answer');
        await b1.waitFor((m) => m.type === MessageType.Invocation && m.target === 'Answer');
        b1.connection.drop();
        await assert.rejects(withTimeout(asked, 'the disconnect'), (error: unknown) => isHubError(error, HubErrorCode.ConnectionDisconnected));
        await assert.rejects(outwait(a!, a!.context.clients.client('no-such-connection').invoke('Answer')), (error: unknown) =>
          isHubError(error, HubErrorCode.ConnectionNotFound),
        );
      }));

    test('encodes a cross-server message once per protocol; receiving servers reuse those bytes', () =>
      withCluster(factory, async (cluster) => {
        const [a, b] = await cluster.start(2, () => [new CountingProtocol(new JsonHubProtocol()), new CountingProtocol(new MessagePackHubProtocol())]);
        const [json, msgpack] = b!.protocols;
        const receivers = [await connect(b!, { protocol: json }), await connect(b!, { protocol: msgpack }), await connect(b!, { protocol: json })];
        const sender = await connect(a!, { protocol: json });
        await a!.context.clients.all.send('Receive', 'once');
        for (const client of [...receivers, sender]) await waitReceive(client, 'once');
        const writes = (server: Server): number[] => server.protocols.map((protocol) => (protocol as CountingProtocol).writes);
        assert.deepEqual(writes(a!), [1, 1]);
        assert.deepEqual(writes(b!), [0, 0]);
      }));

    test('drops the channels of a connection that ends, on its server', () =>
      withCluster(factory, async (cluster) => {
        const [, b] = await cluster.start(2);
        const b1 = await connect(b!, { user: 'u' });
        await call(b1, 'join', 'g1');
        await call(b1, 'join', 'g2');
        assert.deepEqual(b!.backplane.activeWith('group:'), ['group:g1', 'group:g2']);
        assert.deepEqual(b!.backplane.activeWith('user:'), ['user:u']);
        assert.deepEqual(b!.backplane.activeWith('connection:'), [`connection:${b1.connectionId}`]);
        b1.connection.drop();
        await eventually(() => {
          assert.deepEqual(b!.backplane.activeWith('group:'), []);
          assert.deepEqual(b!.backplane.activeWith('user:'), []);
          assert.deepEqual(b!.backplane.activeWith('connection:'), []);
        }, 'the connection’s channels are dropped');
      }));
  });
}
