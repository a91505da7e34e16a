/**
 * Stateful reconnect end to end: the official client with `withStatefulReconnect()` over WebSockets,
 * through a TCP proxy that the tests cut mid-traffic. Nothing may be lost or duplicated, order holds,
 * and the logical connection (id, groups, items) survives without onDisconnected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { ConnectionsErrorCode } from '@switchyard/connections';
import { Hub } from './hub.js';
import type { MapHubOptions } from './switchyard.js';
import { startApp, type TestApp } from './test-support/e2e.js';
import { startTcpProxy, type TcpProxy } from './test-support/tcp-proxy.js';
import { waitUntil, withTimeout } from './test-support/test-client.js';

/** Characters of one upload chunk (below the 32 KB message limit). */
const CHUNK_CHARS = 10_000;

/** What the hub saw (hubs are transient: state lives here). */
const seen = {
  connected: [] as string[],
  disconnected: [] as { connectionId: string; error: Error | undefined }[],
  numbers: [] as number[],
  reset(): void {
    this.connected.length = 0;
    this.disconnected.length = 0;
    this.numbers.length = 0;
  },
};

class ReconnectHub extends Hub {
  override async onConnected(): Promise<void> {
    seen.connected.push(this.context.connectionId);
    this.context.items.set('mark', 'kept');
    await this.groups.add(this.context.connectionId, 'room');
  }
  override onDisconnected(error?: Error): Promise<void> {
    seen.disconnected.push({ connectionId: this.context.connectionId, error });
    return Promise.resolve();
  }
  whoAmI(): unknown[] {
    return [this.context.connectionId, this.context.items.get('mark')];
  }
  record(n: number): void {
    seen.numbers.push(n);
  }
  /** One chunk of an upload: recorded by number once its text arrived whole. */
  chunk(n: number, text: string): void {
    if (text.length === CHUNK_CHARS) seen.numbers.push(n);
  }
  /** Sends `count` numbered messages to the caller, yielding to the event loop so traffic interleaves. */
  async burst(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.clients.caller.send('number', i);
      if (i % 20 === 0) await turn();
    }
  }
  async *count(count: number): AsyncGenerator<number> {
    for (let i = 0; i < count; i++) {
      yield i;
      if (i % 20 === 0) await turn();
    }
  }
}

interface Setup {
  readonly app: TestApp;
  readonly proxy: TcpProxy;
  readonly connection: signalR.HubConnection;
  /** Settles with the client's onclose error (undefined for a clean close). */
  readonly closed: Promise<Error | undefined>;
  readonly negotiations: () => number;
  /** WebSocket upgrades the server received (through the proxy). */
  readonly upgrades: () => number;
}

async function withReconnect(options: MapHubOptions, run: (setup: Setup) => Promise<void>, protocol: 'json' | 'messagepack' = 'json'): Promise<void> {
  seen.reset();
  const app = await startApp((a) => a.mapHub('/hub', ReconnectHub, { allowStatefulReconnect: true, ...options }));
  let negotiations = 0;
  let upgrades = 0;
  app.server.on('request', (req: { url?: string }) => {
    if (req.url?.includes('/negotiate') === true) negotiations++;
  });
  app.server.on('upgrade', () => upgrades++);
  const proxy = await startTcpProxy(app.baseUrl);
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${proxy.baseUrl}/hub`, { transport: signalR.HttpTransportType.WebSockets })
    .withStatefulReconnect()
    .withHubProtocol(protocol === 'json' ? new signalR.JsonHubProtocol() : new MessagePackHubProtocol())
    .configureLogging(signalR.LogLevel.None)
    .build();
  const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
  try {
    await connection.start();
    await run({ app, proxy, connection, closed, negotiations: () => negotiations, upgrades: () => upgrades });
  } finally {
    await connection.stop();
    await proxy.close();
    await app.close();
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

for (const protocol of ['json', 'messagepack'] as const) {
  test(`server to client (${protocol}): a cut mid-burst loses, duplicates and reorders nothing; same connection, no onDisconnected`, async () => {
    await withReconnect({}, async ({ proxy, connection, negotiations, upgrades }) => {
      const id = connection.connectionId;
      const received: number[] = [];
      const total = 3000;
      connection.on('number', (n: number) => {
        received.push(n);
        if (n === 300) proxy.cut();
      });
      await connection.send('burst', total);
      await waitUntil(() => received.length >= total, `${total} numbers`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // a duplicate would arrive right behind
      assert.deepEqual(received, range(total));
      assert.equal(upgrades(), 2, 'the client opened a second WebSocket');
      assert.equal(negotiations(), 1, 'no second negotiate');
      assert.equal(connection.connectionId, id);
      assert.deepEqual(await connection.invoke('whoAmI'), [id, 'kept']);
      assert.deepEqual(seen.connected, [id]);
      assert.deepEqual(seen.disconnected, []);
    }, protocol);
  });
}

test('client to server: a cut mid-stream of sends loses, duplicates and reorders nothing', async () => {
  await withReconnect({}, async ({ proxy, connection, upgrades }) => {
    const total = 2000;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      sends.push(connection.send('record', i));
      if (i === total / 2) proxy.cut();
      if (i % 50 === 0) await turn();
    }
    await withTimeout(Promise.all(sends), 'sends');
    await waitUntil(() => seen.numbers.length >= total, `${total} numbers on the server`);
    await connection.invoke('whoAmI'); // everything before it has been dispatched
    assert.deepEqual(seen.numbers, range(total));
    assert.equal(upgrades(), 2);
    assert.deepEqual(seen.disconnected, []);
  });
});

test('a large upload is not held to one client buffer per second: 3 MB of sends arrive whole and in order', async () => {
  // The official client's send() waits while 100 kB are unacknowledged, so an uploader that awaits
  // each send goes at the pace of the server's Acks: acknowledging only on the 1 s heartbeat would
  // need about 30 s here, past the waits below.
  await withReconnect({}, async ({ connection }) => {
    const total = 300;
    const text = 'u'.repeat(CHUNK_CHARS);
    const upload = async (): Promise<void> => {
      for (let i = 0; i < total; i++) await connection.send('chunk', i, text);
    };
    await withTimeout(upload(), 'the sends', 15_000);
    await waitUntil(() => seen.numbers.length >= total, `${total} chunks on the server`);
    assert.deepEqual(seen.numbers, range(total));
  });
});

test('a server stream survives a cut: every item once, in order, then its completion', async () => {
  await withReconnect({}, async ({ proxy, connection, upgrades }) => {
    const items: number[] = [];
    const total = 2000;
    const done = new Promise<void>((resolve, reject) => {
      connection.stream<number>('count', total).subscribe({
        next: (n) => {
          items.push(n);
          if (n === 500) proxy.cut();
        },
        complete: resolve,
        error: reject,
      });
    });
    await withTimeout(done, 'stream completion', 15_000);
    assert.deepEqual(items, range(total));
    assert.equal(upgrades(), 2);
  });
});

test('groups survive a cut: a group message sent after the reconnect arrives', async () => {
  await withReconnect({}, async ({ app, proxy, connection }) => {
    const id = connection.connectionId;
    const messages: string[] = [];
    connection.on('roomMessage', (text: string) => messages.push(text));
    proxy.cut();
    // Sent at once, probably while the transport is lost: kept and replayed.
    await app.app.hubContext(ReconnectHub).clients.group('room').send('roomMessage', 'during');
    await waitUntil(() => messages.length === 1, 'the message sent during the outage');
    await app.app.hubContext(ReconnectHub).clients.group('room').send('roomMessage', 'after');
    await waitUntil(() => messages.length === 2, 'the message sent after the reconnect');
    assert.deepEqual(messages, ['during', 'after']);
    assert.equal(connection.connectionId, id);
    assert.deepEqual(seen.disconnected, []);
  });
});

test('a client that cannot reconnect within disconnectTimeoutMs: onDisconnected runs once, with ERR_CONNECTION_DISCONNECT_TIMEOUT', async () => {
  await withReconnect({ disconnectTimeoutMs: 300 }, async ({ proxy, connection, closed }) => {
    const id = connection.connectionId;
    proxy.refuse = true;
    proxy.cut();
    assert.ok((await withTimeout(closed, 'client close')) instanceof Error, 'the client gives up after its one attempt');
    await waitUntil(() => seen.disconnected.length > 0, 'onDisconnected');
    assert.equal(seen.disconnected.length, 1);
    assert.equal(seen.disconnected[0]!.connectionId, id);
    assert.equal((seen.disconnected[0]!.error as { code?: string } | undefined)?.code, ConnectionsErrorCode.DisconnectTimeout);
  });
  assert.equal(seen.disconnected.length, 1, 'still once after the app closed');
});
