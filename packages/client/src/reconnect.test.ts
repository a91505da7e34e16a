/**
 * Automatic reconnect against the real server: a server restart on the same port, a server that says
 * not to come back, a policy that gives up, stop() while waiting, and the close reasons of each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCode, isClientError } from './errors.js';
import { HubConnectionState } from './hub-connection.js';
import { exponentialBackoff, type ReconnectPolicy, type RetryContext } from './reconnect-policy.js';
import { createClient, nextCall, startTestServer } from './test-support/test-server.js';

/** Records what the policy was asked, and resolves waiters once it was asked `count` times. */
class RecordingPolicy implements ReconnectPolicy {
  readonly asked: RetryContext[] = [];
  readonly #inner: ReconnectPolicy;
  #waiters: Array<{ count: number; resolve(): void }> = [];

  constructor(inner: ReconnectPolicy) {
    this.#inner = inner;
  }

  nextRetryDelayMs(context: RetryContext): number | null {
    this.asked.push(context);
    for (const waiter of this.#waiters.filter((w) => this.asked.length >= w.count)) waiter.resolve();
    return this.#inner.nextRetryDelayMs(context);
  }

  askedTimes(count: number): Promise<void> {
    if (this.asked.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

const fastBackoff = (): ReconnectPolicy => exponentialBackoff({ baseDelayMs: 20, maxDelayMs: 100 });

for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
  test(`${transport}: reconnects with backoff after a server restart on the same port`, async () => {
    const first = await startTestServer();
    const policy = new RecordingPolicy(fastBackoff());
    const connection = createClient(first.hubUrl, transport, 'json', { reconnect: policy });
    const reconnecting = nextCall<[Error]>();
    const reconnected = nextCall<[string | null]>();
    connection.onReconnecting(reconnecting.callback);
    connection.onReconnected(reconnected.callback);
    await connection.start();
    const firstId = connection.connectionId;
    let second: Awaited<ReturnType<typeof startTestServer>> | undefined;
    try {
      await first.close(); // a graceful shutdown: Close with allowReconnect
      const [reason] = await reconnecting.next;
      // Long polling may lose the poll that carried the Close when the listener shuts: then the poll failed.
      const expected: string[] = transport === 'LongPolling' ? [ClientErrorCode.ServerClosed, ClientErrorCode.TransportClosed] : [ClientErrorCode.ServerClosed];
      assert.ok(isClientError(reason) && expected.includes(reason.code), `reconnecting because: ${reason.message}`);
      assert.equal(connection.state, HubConnectionState.Reconnecting);
      await assert.rejects(connection.invoke('echo', 'x'), (error: unknown) => isClientError(error, ClientErrorCode.NotConnected));

      await policy.askedTimes(3); // two attempts failed against the stopped server
      second = await startTestServer({ port: first.port });
      const [newId] = await reconnected.next;
      assert.equal(connection.state, HubConnectionState.Connected);
      assert.notEqual(newId, firstId);
      assert.equal(newId, connection.connectionId);
      assert.equal(await connection.invoke('echo', 'back'), 'back');
      assert.deepEqual(policy.asked.map((c) => c.previousRetryCount).slice(0, 3), [0, 1, 2]);
      assert.equal(policy.asked[1]!.retryReason instanceof Error, true);
      assert.ok(policy.asked.every((c, i) => i === 0 || c.elapsedMs >= policy.asked[i - 1]!.elapsedMs));
    } finally {
      await connection.stop();
      await second?.close();
    }
  });
}

test('without a policy, a server shutdown closes the connection with the reason', async () => {
  const server = await startTestServer();
  const connection = createClient(server.hubUrl, 'WebSockets');
  const closed = nextCall<[Error | undefined]>();
  connection.onClose(closed.callback);
  await connection.start();
  await server.close();
  const [error] = await closed.next;
  assert.ok(isClientError(error, ClientErrorCode.ServerClosed));
  assert.equal(error.message, 'The server closed the connection.');
  assert.equal(connection.state, HubConnectionState.Disconnected);
});

test('a Close without allowReconnect is final even with a policy', async () => {
  const server = await startTestServer();
  try {
    const policy = new RecordingPolicy(fastBackoff());
    const connection = createClient(server.hubUrl, 'WebSockets', 'json', { reconnect: policy });
    const closed = nextCall<[Error | undefined]>();
    connection.onClose(closed.callback);
    await connection.start();
    await connection.send('leave');
    const [error] = await closed.next;
    assert.ok(isClientError(error, ClientErrorCode.ServerClosed));
    assert.equal(policy.asked.length, 0);
  } finally {
    await server.close();
  }
});

test('a policy that gives up closes with ERR_CLIENT_RECONNECT_FAILED and the last error', async () => {
  const server = await startTestServer();
  const connection = createClient(server.hubUrl, 'LongPolling', 'json', { reconnect: [0, 10, 10] });
  const reconnecting = nextCall<[Error]>();
  const closed = nextCall<[Error | undefined]>();
  connection.onReconnecting(reconnecting.callback);
  connection.onClose(closed.callback);
  await connection.start();
  await server.close();
  await reconnecting.next;
  const [error] = await closed.next;
  assert.ok(isClientError(error, ClientErrorCode.ReconnectFailed));
  assert.match(error.message, /after \d+ ms and 3 failed attempts\.$/);
  assert.ok(isClientError(error.cause, ClientErrorCode.NegotiateFailed));
  assert.equal(connection.state, HubConnectionState.Disconnected);
});

test('stop() while waiting to reconnect ends it without a reason', async () => {
  const server = await startTestServer();
  const connection = createClient(server.hubUrl, 'WebSockets', 'json', { reconnect: [60_000] });
  const reconnecting = nextCall<[Error]>();
  const closed = nextCall<[Error | undefined]>();
  connection.onReconnecting(reconnecting.callback);
  connection.onClose(closed.callback);
  await connection.start();
  await server.close();
  await reconnecting.next;
  await connection.stop();
  assert.deepEqual(await closed.next, [undefined]);
  assert.equal(connection.state, HubConnectionState.Disconnected);
});

test('stop() from a reconnecting listener ends reconnecting', async () => {
  const server = await startTestServer();
  const connection = createClient(server.hubUrl, 'WebSockets', 'json', { reconnect: true });
  const closed = nextCall<[Error | undefined]>();
  connection.onReconnecting(() => void connection.stop());
  connection.onClose(closed.callback);
  await connection.start();
  await server.close();
  assert.deepEqual(await closed.next, [undefined]);
  assert.equal(connection.state, HubConnectionState.Disconnected);
});
