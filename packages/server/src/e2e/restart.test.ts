/**
 * Automatic reconnect across a server restart, with the official client on every transport ×
 * protocol (and WebSockets with skipNegotiation): the old app closes (Close with allowReconnect),
 * its HTTP server goes away, a fresh app listens on the same port, and every client comes back on
 * its own with a new connection, its invocations working again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol as OfficialMessagePack } from '@microsoft/signalr-protocol-msgpack';
import { JsonHubProtocol } from '@switchyard/protocol';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { Hub, type HubClass } from '../hub.js';
import { Switchyard } from '../switchyard.js';
import { transportMatrix, type ProtocolName, type TransportKind } from '../test-support/e2e.js';
import { withTimeout } from '../test-support/test-client.js';

/** A hub that tells which server instance answered, and the connection id it knows the caller by. */
function instanceHub(instance: number): HubClass {
  return class InstanceHub extends Hub {
    whoAnswers(): { instance: number; connectionId: string } {
      return { instance, connectionId: this.context.connectionId };
    }
    echo(value: unknown): unknown {
      return value;
    }
  };
}

interface RunningServer {
  readonly port: number;
  /** app.close(), then the HTTP server; idempotent. */
  stop(): Promise<void>;
}

/** Server instance `instance` on a real HTTP server at `port` (0: any free port). */
async function startServer(instance: number, port: number): Promise<RunningServer> {
  const app = new Switchyard({ protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()] });
  app.mapHub('/hub', instanceHub(instance));
  const server = createServer();
  app.attach(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await app.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port: (server.address() as AddressInfo).port, stop: () => (stopped ??= stop()) };
}

interface Watched {
  readonly name: string;
  readonly connection: signalR.HubConnection;
  readonly reconnecting: Promise<Error | undefined>;
  readonly reconnected: Promise<string | undefined>;
  closed: boolean;
}

function watchedClient(url: string, transport: TransportKind, protocol: ProtocolName, skipNegotiation = false): Watched {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(url, { transport: signalR.HttpTransportType[transport], skipNegotiation })
    .withHubProtocol(protocol === 'json' ? new signalR.JsonHubProtocol() : new OfficialMessagePack())
    // Retry quickly at first, then every second; give up after 20 s so a broken server fails the test.
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: ({ previousRetryCount, elapsedMilliseconds }) =>
        elapsedMilliseconds > 20_000 ? null : ([0, 200, 500][previousRetryCount] ?? 1000),
    })
    .configureLogging(signalR.LogLevel.None)
    .build();
  const watched: Watched = {
    name: `${transport}/${protocol}${skipNegotiation ? '/skipNegotiation' : ''}`,
    connection,
    reconnecting: new Promise((resolve) => connection.onreconnecting(resolve)),
    reconnected: new Promise((resolve) => connection.onreconnected(resolve)),
    closed: false,
  };
  connection.onclose(() => (watched.closed = true));
  return watched;
}

test('after a server restart on the same port, every official client reconnects with a new connection', async () => {
  const first = await startServer(1, 0);
  const url = `http://127.0.0.1:${first.port}/hub`;
  const clients = [
    ...transportMatrix.map(([transport, protocol]) => watchedClient(url, transport, protocol)),
    watchedClient(url, 'WebSockets', 'json', true),
    watchedClient(url, 'WebSockets', 'messagepack', true),
  ];
  let second: RunningServer | undefined;
  try {
    await Promise.all(clients.map((c) => c.connection.start()));
    const before = await Promise.all(clients.map((c) => c.connection.invoke<{ instance: number; connectionId: string }>('whoAnswers')));
    for (const [i, answer] of before.entries()) {
      assert.equal(answer.instance, 1);
      // Negotiated clients know their id; skipNegotiation ones do not (null), as in .NET.
      assert.equal(clients[i]!.connection.connectionId ?? answer.connectionId, answer.connectionId);
    }

    await first.stop();
    // Every client noticed. app.close() sends Close with allowReconnect, so there is no error, except
    // that a long-polling client between two polls never collects it: its next poll finds the server
    // gone (as with .NET, whose shutdown also ends long-polling connections without waiting for a poll).
    for (const c of clients) {
      const error = await withTimeout(c.reconnecting, `${c.name} reconnecting`);
      if (!c.name.startsWith('LongPolling')) assert.equal(error, undefined, c.name);
      assert.equal(c.connection.state, signalR.HubConnectionState.Reconnecting, c.name);
    }

    second = await startServer(2, first.port);
    for (const c of clients) {
      const reconnectedId = await withTimeout(c.reconnected, `${c.name} reconnected`, 20_000);
      assert.equal(reconnectedId, c.connection.connectionId ?? undefined, c.name);
    }
    const after = await Promise.all(clients.map((c) => c.connection.invoke<{ instance: number; connectionId: string }>('whoAnswers')));
    for (const [i, c] of clients.entries()) {
      assert.equal(after[i]!.instance, 2, c.name);
      assert.notEqual(after[i]!.connectionId, before[i]!.connectionId, `${c.name}: a new connection`);
      if (c.connection.connectionId !== null) assert.equal(c.connection.connectionId, after[i]!.connectionId, c.name);
      assert.equal(await c.connection.invoke('echo', `back ${c.name}`), `back ${c.name}`);
      assert.equal(c.closed, false, c.name);
    }
  } finally {
    await Promise.all(clients.map((c) => c.connection.stop()));
    await second?.stop();
    await first.stop();
  }
});
