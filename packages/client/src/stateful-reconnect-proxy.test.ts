/**
 * Stateful reconnect end to end, client and server: traffic in both directions through a TCP proxy
 * that cuts every socket mid-traffic, several times. Nothing may be lost, nothing duplicated, order
 * kept, and the logical connection (id, groups, items) must survive without onDisconnected — with our
 * client and with the official one (`withStatefulReconnect`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol as OfficialMessagePack } from '@microsoft/signalr-protocol-msgpack';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy.js';
import { ClientErrorCode, isClientError } from './errors.js';
import { createClient, nextCall, startTestServer, type ProtocolName, type TestServer } from './test-support/test-server.js';

const ROUNDS = 5;
const PER_ROUND = 40;
const TOTAL = ROUNDS * PER_ROUND;
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The part of a connection these scenarios drive: ours and the official one both fit. */
interface Driven {
  send(method: string, ...args: unknown[]): Promise<void>;
  invoke(method: string, ...args: unknown[]): Promise<unknown>;
  readonly connectionId: string | null;
}

/** Resolves once `ticks` holds `count` items. */
async function ticksReach(ticks: number[], count: number, changed: { wait(): Promise<void> }): Promise<void> {
  while (ticks.length < count) await changed.wait();
}

function signal(): { wait(): Promise<void>; fire(): void } {
  let waiters: Array<() => void> = [];
  return {
    wait: () => new Promise<void>((resolve) => waiters.push(resolve)),
    fire: () => {
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
  };
}

/**
 * Sends `record(n)` for 1…TOTAL in bursts, cutting every socket in the middle of each burst (with
 * sends and ticks in flight), and an invocation pending across each cut.
 */
async function trafficWithCuts(connection: Driven, proxy: TcpProxy, ticks: number[], ticked: { wait(): Promise<void> }): Promise<void> {
  let next = 1;
  for (let round = 0; round < ROUNDS; round++) {
    const sends: Promise<void>[] = [];
    for (let i = 0; i < PER_ROUND / 2; i++) sends.push(connection.send('record', next++));
    const across = connection.invoke('echo', `across ${round}`);
    // Wait until the server is answering this burst, so the cut lands mid-traffic both ways.
    await ticksReach(ticks, next - PER_ROUND / 2, ticked);
    assert.ok(proxy.cut() >= 1, 'a live socket was cut');
    for (let i = 0; i < PER_ROUND / 2; i++) sends.push(connection.send('record', next++));
    await Promise.all(sends);
    assert.equal(await across, `across ${round}`);
  }
}

describe('stateful reconnect through a proxy that cuts the socket', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  before(async () => {
    server = await startTestServer({ hubOptions: { allowStatefulReconnect: true } });
    proxy = await startTcpProxy(server.port);
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  const url = (): string => `http://127.0.0.1:${proxy.port}/hub`;

  async function assertSurvived(connection: Driven, ticks: number[], ticked: { wait(): Promise<void> }, firstId: string): Promise<void> {
    await ticksReach(ticks, TOTAL, ticked);
    assert.deepEqual(server.recorder.records.get(firstId), range(1, TOTAL), 'client to server: all, once, in order');
    assert.deepEqual(ticks, range(1, TOTAL), 'server to client: all, once, in order');
    assert.equal(connection.connectionId, firstId, 'the same connection id');
    assert.ok(!server.recorder.disconnected.includes(firstId), 'onDisconnected never ran');
    assert.equal(await connection.invoke('recall'), `items of ${firstId}`, 'context.items survived');
    assert.deepEqual(await connection.invoke('recorded'), range(1, TOTAL));
  }

  for (const protocol of ['json', 'messagepack'] as const satisfies readonly ProtocolName[]) {
    test(`our client, ${protocol}: nothing lost, nothing duplicated, order kept, same connection`, async () => {
      const connection = createClient(url(), 'WebSockets', protocol);
      const ticks: number[] = [];
      const ticked = signal();
      const notified = nextCall<[string]>();
      const events: string[] = [];
      connection.on('tick', (n) => {
        ticks.push(n);
        ticked.fire();
      });
      connection.on('notified', notified.callback);
      connection.onReconnecting(() => events.push('reconnecting'));
      connection.onClose(() => events.push('close'));
      await connection.start();
      try {
        const firstId = connection.connectionId!;
        await connection.invoke('remember', `items of ${firstId}`);
        await connection.invoke('join', `group of ${firstId}`);
        const acceptedBefore = proxy.accepted;

        await trafficWithCuts(connection, proxy, ticks, ticked);
        await assertSurvived(connection, ticks, ticked, firstId);
        assert.ok(proxy.accepted - acceptedBefore >= ROUNDS, 'every cut was followed by a re-attach');
        await connection.invoke('toGroup', `group of ${firstId}`, 'still a member');
        assert.deepEqual(await notified.next, ['still a member'], 'groups survived');
        assert.deepEqual(events, []);
      } finally {
        await connection.stop();
      }
    });
  }

  for (const protocol of ['json', 'messagepack'] as const satisfies readonly ProtocolName[]) {
    test(`the official client with withStatefulReconnect, ${protocol}: the same guarantees`, async () => {
      const connection = new signalR.HubConnectionBuilder()
        .withUrl(url(), { transport: signalR.HttpTransportType.WebSockets })
        .withHubProtocol(protocol === 'json' ? new signalR.JsonHubProtocol() : new OfficialMessagePack())
        .withStatefulReconnect()
        .configureLogging(signalR.LogLevel.None)
        .build();
      const ticks: number[] = [];
      const ticked = signal();
      const events: string[] = [];
      connection.on('tick', (n: number) => {
        ticks.push(n);
        ticked.fire();
      });
      connection.onreconnecting(() => events.push('reconnecting'));
      connection.onclose(() => events.push('close'));
      await connection.start();
      try {
        const firstId = connection.connectionId!;
        await connection.invoke('remember', `items of ${firstId}`);
        await trafficWithCuts(connection, proxy, ticks, ticked);
        await assertSurvived(connection, ticks, ticked, firstId);
        assert.deepEqual(events, []);
      } finally {
        await connection.stop();
      }
    });
  }
});

describe('when the socket cannot be re-attached', () => {
  test('our client falls back to a new connection, and the server ends the old one after its window', async () => {
    const server = await startTestServer({ hubOptions: { allowStatefulReconnect: true, disconnectTimeoutMs: 200 } });
    const proxy = await startTcpProxy(server.port);
    const connection = createClient(`http://127.0.0.1:${proxy.port}/hub`, 'WebSockets', 'json', { reconnect: [0, 50, 100, 200, 400, 800] });
    const reconnecting = nextCall<[Error]>();
    const reconnected = nextCall<[string | null]>();
    connection.onReconnecting(reconnecting.callback);
    connection.onReconnected(reconnected.callback);
    try {
      await connection.start();
      const firstId = connection.connectionId!;
      await connection.invoke('remember', 'gone with the connection');
      proxy.refuse = true; // the network stays down: the one immediate re-attach fails
      proxy.cut();
      const [reason] = await reconnecting.next;
      assert.ok(isClientError(reason, ClientErrorCode.TransportClosed), reason.message);
      await server.recorder.until(() => server.recorder.disconnected.includes(firstId));
      proxy.refuse = false;
      const [newId] = await reconnected.next;
      assert.notEqual(newId, firstId, 'a new logical connection');
      assert.equal(await connection.invoke('recall'), null, 'its items are new');
    } finally {
      await connection.stop();
      await proxy.close();
      await server.close();
    }
  });
});
