/**
 * Three conformance servers in their own processes on one backplane, on Redis and again on NATS,
 * driven by the official client: a sender on A reaches a receiver on B (Ahmet and Mehmet) by user,
 * group, all and connection id; group membership is set from C; a client result crosses servers;
 * then A is killed with SIGKILL while messages stream, and its clients carry on through B.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as signalR from '@microsoft/signalr';
import { FailoverProxy } from './test-support/failover-proxy.js';
import { ServerProcess } from './test-support/server-processes.js';
import { isListening } from '@switchyard/server/test-support/broker-check';

const brokers = [
  { name: 'Redis', url: 'redis://127.0.0.1:6379', port: 6379, start: 'redis-server --daemonize yes' },
  { name: 'NATS', url: 'nats://127.0.0.1:4222', port: 4222, start: 'nats-server -js' },
] as const;

type Receiver = { readonly connection: signalR.HubConnection; readonly messages: unknown[] };

/** Started official clients, stopped after each broker's tests. */
class Clients {
  readonly #open: signalR.HubConnection[] = [];

  /** A started client of `/scaleouthub` at `baseUrl`, as `user`, collecting what `Receive` gets. */
  async connect(baseUrl: string, user: string, configure?: (builder: signalR.HubConnectionBuilder) => void): Promise<Receiver> {
    const builder = new signalR.HubConnectionBuilder().withUrl(`${baseUrl}/scaleouthub?user=${encodeURIComponent(user)}`).configureLogging(signalR.LogLevel.None);
    configure?.(builder);
    const connection = builder.build();
    const messages: unknown[] = [];
    connection.on('Receive', (message: unknown) => messages.push(message));
    this.#open.push(connection);
    await connection.start();
    // Invocations wait for the server's onConnected, so the connection's subscriptions are in place.
    await connection.invoke('GetConnectionId');
    return { connection, messages };
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((connection) => connection.stop()));
  }
}

/** Resolves once `check` holds; fails with `what` after a generous wait. */
async function eventually(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const broker of brokers) {
  if (!(await isListening(broker.port))) {
    test(`three servers on ${broker.name}`, () => {
      throw new Error(`${broker.name} is not reachable at 127.0.0.1:${broker.port}: start it with \`${broker.start}\``);
    });
    continue;
  }
  describe(`three servers on ${broker.name}`, () => {
    let servers: ServerProcess[] = [];
    const clients = new Clients();
    before(async () => {
      // A site of its own on the shared broker: other test runs on this machine cannot cross-talk.
      const site = `site${randomUUID().slice(0, 8)}`;
      servers = await Promise.all([0, 1, 2].map(() => ServerProcess.conformance(broker.url, site)));
    });
    after(async () => {
      await clients.stopAll();
      const codes = await Promise.all(servers.map((server) => server.stop()));
      // A is killed by the last test; the others must close gracefully.
      assert.deepEqual(codes.slice(1), [0, 0]);
    });

    test('Ahmet on A reaches Mehmet on B by user, group, all and connection id', async () => {
      const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
      const ahmet = await clients.connect(a.url, 'ahmet');
      const mehmet = await clients.connect(b.url, 'mehmet');
      const onC = await clients.connect(c.url, 'ayse');
      const mehmetId = await mehmet.connection.invoke<string>('GetConnectionId');
      await mehmet.connection.invoke('JoinGroup', 'friends');

      await ahmet.connection.invoke('SendToUser', 'mehmet', 'by user');
      await ahmet.connection.invoke('SendToGroup', 'friends', 'by group');
      await ahmet.connection.invoke('SendToAll', 'to all');
      await ahmet.connection.invoke('SendToConnection', mehmetId, 'by connection');
      await eventually(() => mehmet.messages.length === 4, 'Mehmet receives four messages');
      assert.deepEqual(mehmet.messages, ['by user', 'by group', 'to all', 'by connection']);
      await eventually(() => onC.messages.length === 1 && ahmet.messages.length === 1, 'every server delivers the broadcast');
      assert.deepEqual([ahmet.messages, onC.messages], [['to all'], ['to all']]);

      await mehmet.connection.invoke('LeaveGroup', 'friends');
      await ahmet.connection.invoke('SendToGroup', 'friends', 'after leaving');
      await ahmet.connection.invoke('SendToConnection', mehmetId, 'barrier'); // same publisher, so ordered after it
      await eventually(() => mehmet.messages.includes('barrier'), 'the barrier arrives');
      assert.ok(!mehmet.messages.includes('after leaving'));
    });

    test('a connection on B joins a group from C, and answers a client result asked from A', async () => {
      const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
      const ahmet = await clients.connect(a.url, 'ahmet2');
      const mehmet = await clients.connect(b.url, 'mehmet2');
      const onC = await clients.connect(c.url, 'ayse2');
      const mehmetId = await mehmet.connection.invoke<string>('GetConnectionId');
      await onC.connection.invoke('AddToGroup', mehmetId, 'set-from-c');
      await ahmet.connection.invoke('SendToGroup', 'set-from-c', 'hello from A');
      await eventually(() => mehmet.messages.length === 1, 'Mehmet receives the group message');
      assert.deepEqual(mehmet.messages, ['hello from A']);

      mehmet.connection.on('Answer', () => 42);
      assert.equal(await ahmet.connection.invoke('AskClient', mehmetId), 42);
    });

    test('a server killed with SIGKILL: its clients reconnect through another server and keep receiving', async () => {
      const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
      const proxy = await FailoverProxy.start([a.port, b.port]); // a load balancer preferring A
      try {
        const reconnecting = (builder: signalR.HubConnectionBuilder): void => void builder.withAutomaticReconnect([0, 100, 250, 500, 1000, 1000, 1000]);
        const byUser = await clients.connect(proxy.url, 'listener', reconnecting);
        const byGroup = await clients.connect(proxy.url, 'group-listener', reconnecting);
        await byGroup.connection.invoke('JoinGroup', 'stream');
        // A new connection id after a reconnect: group membership must be set again (users stay).
        byGroup.connection.onreconnected(() => void byGroup.connection.invoke('JoinGroup', 'stream').catch(() => {}));
        assert.ok(proxy.routed.every((port) => port === a.port), 'negotiate and WebSocket of both clients went to A');

        const sender = await clients.connect(c.url, 'sender');
        let streaming = true;
        let sent = 0;
        const stream = (async () => {
          while (streaming) {
            sent++;
            await Promise.all([sender.connection.invoke('SendToUser', 'listener', sent), sender.connection.invoke('SendToGroup', 'stream', sent)]);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })();
        try {
          await eventually(() => byUser.messages.length >= 5 && byGroup.messages.length >= 5, 'messages stream through A');
          const reconnected = Promise.all([byUser, byGroup].map(({ connection }) => new Promise<void>((resolve) => connection.onreconnected(() => resolve()))));
          const routedBefore = proxy.routed.length;
          await a.kill();
          const killedAt = sent;
          await reconnected;
          const rerouted = proxy.routed.slice(routedBefore);
          assert.ok(rerouted.length > 0 && rerouted.every((port) => port === b.port), 'the clients came back through B');
          await eventually(() => (byUser.messages.at(-1) as number) > killedAt + 5 && (byGroup.messages.at(-1) as number) > killedAt + 5, 'messages stream again through B');
          for (const { messages } of [byUser, byGroup]) {
            const numbers = messages as number[];
            assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!), `in order, without duplicates: ${numbers.join(',')}`);
          }
        } finally {
          streaming = false;
          await stream;
        }
      } finally {
        await proxy.close();
      }
    });
  });
}
