/** Connection lifetime as the official client experiences it: keep-alive, server timeouts, shutdown, abort. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import { JsonHubProtocol } from '@switchyard/protocol';
import { Hub } from '../hub.js';
import { officialClient, startApp } from '../test-support/e2e.js';
import { withTimeout } from '../test-support/test-client.js';

class LifecycleHub extends Hub {
  kick(): void {
    this.context.abort();
  }
  echo(value: unknown): unknown {
    return value;
  }
}

test('keep-alive pings hold a quiet connection open past the client server-timeout', async () => {
  const server = await startApp((app) => app.mapHub('/hub', LifecycleHub, { keepAliveIntervalMs: 50 }));
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${server.baseUrl}/hub`, { transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.None)
    .withServerTimeout(1000)
    .withKeepAliveInterval(100)
    .build();
  let closedWith: Error | undefined | null = null;
  connection.onclose((error) => (closedWith = error));
  try {
    await connection.start();
    // Several server-timeouts long, silent on the application level: only Pings keep it alive.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(closedWith, null);
    assert.equal(connection.state, signalR.HubConnectionState.Connected);
  } finally {
    await connection.stop();
    await server.close();
  }
});

test('app.close() sends Close with allowReconnect: the client closes without an error', async () => {
  const server = await startApp((app) => app.mapHub('/hub', LifecycleHub));
  const connection = officialClient(`${server.baseUrl}/hub`, 'WebSockets', 'json');
  const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
  await connection.start();
  await server.close();
  assert.equal(await withTimeout(closed, 'client close'), undefined);
});

test('context.abort() closes the client connection', async () => {
  const server = await startApp((app) => app.mapHub('/hub', LifecycleHub));
  const connection = officialClient(`${server.baseUrl}/hub`, 'LongPolling', 'json');
  const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
  await connection.start();
  try {
    await connection.send('kick');
    await withTimeout(closed, 'client close');
    assert.equal(connection.state, signalR.HubConnectionState.Disconnected);
  } finally {
    await connection.stop();
    await server.close();
  }
});

test('a handshake the server refuses fails start() with the server text', async () => {
  // This app offers JSON only; the official MessagePack client cannot agree on a protocol.
  const server = await startApp((app) => app.mapHub('/hub', LifecycleHub), { protocols: [new JsonHubProtocol()] });
  const connection = officialClient(`${server.baseUrl}/hub`, 'WebSockets', 'messagepack');
  try {
    await assert.rejects(connection.start(), /The protocol 'messagepack' is not supported\./);
  } finally {
    await server.close();
  }
});

test('a client with stateful reconnect keeps sending past its replay buffer: the server acknowledges', async () => {
  const server = await startApp((app) => app.mapHub('/hub', LifecycleHub, { allowStatefulReconnect: true, keepAliveIntervalMs: 400 }));
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${server.baseUrl}/hub`, { transport: signalR.HttpTransportType.WebSockets })
    .withStatefulReconnect({ bufferSize: 10_000 })
    .configureLogging(signalR.LogLevel.None)
    .build();
  try {
    await connection.start();
    const text = 'x'.repeat(2_000);
    // 30 kB through a 10 kB replay buffer: `send` resolves only once Acks make room again.
    for (let i = 0; i < 15; i++) await withTimeout(connection.send('echo', text), `send ${i}`);
    assert.equal(await connection.invoke('echo', 'done'), 'done');
  } finally {
    await connection.stop();
    await server.close();
  }
});
