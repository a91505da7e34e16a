/** Hub limits end to end: groups per connection, invocation rate, close on authentication expiry. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import { SignJWT } from 'jose';
import { jwtAuthenticator } from '../auth/jwt.js';
import { HubErrorCode, HubLimitException } from '../errors.js';
import { Hub } from '../hub.js';
import { InMemoryBus } from '../scaleout/in-memory-backplane.js';
import { officialClient, startApp, type TestApp } from '../test-support/e2e.js';
import { RawHubClient } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';
import { ConnectionsErrorCode } from '@switchyard/connections';
import { AUTHENTICATION_EXPIRED } from './authentication-expiry.js';
import { tooManyGroups } from './group-quota.js';
import { RATE_LIMIT_CLOSE, rateLimited } from './invocation-rate.js';

class LimitsHub extends Hub {
  async join(group: string): Promise<string> {
    try {
      await this.groups.add(this.context.connectionId, group);
      return 'joined';
    } catch (error) {
      return error instanceof HubLimitException ? error.code : 'unexpected';
    }
  }
  async joinUnguarded(group: string): Promise<void> {
    await this.groups.add(this.context.connectionId, group);
  }
  async leave(group: string): Promise<void> {
    await this.groups.remove(this.context.connectionId, group);
  }
  echo(value: unknown): unknown {
    return value;
  }
  async slow(value: unknown): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return value;
  }
}

test('bad limit options are refused with ERR_HUB_INVALID_OPTION', async () => {
  const server = await startApp(() => {});
  try {
    for (const options of [{ maximumGroupsPerConnection: 0 }, { invocationRateLimit: { perSecond: 0 } }, { invocationRateLimit: { perSecond: 5, burst: 1.5 } }]) {
      assert.throws(() => server.app.mapHub('/bad', LimitsHub, options), { code: HubErrorCode.InvalidOption }, JSON.stringify(options));
    }
  } finally {
    await server.close();
  }
});

describe('maximumGroupsPerConnection', () => {
  for (const scaled of [false, true]) {
    test(`${scaled ? 'with a backplane' : 'one server'}: the join beyond the limit throws HubLimitException to the hub method`, async () => {
      const bus = new InMemoryBus();
      const server = await startApp((app) => app.mapHub('/limits', LimitsHub, { maximumGroupsPerConnection: 2 }), scaled ? { backplane: bus.createBackplane() } : {});
      const connection = officialClient(`${server.baseUrl}/limits`, 'WebSockets', 'json');
      try {
        await connection.start();
        assert.equal(await connection.invoke('join', 'a'), 'joined');
        assert.equal(await connection.invoke('join', 'b'), 'joined');
        assert.equal(await connection.invoke('join', 'a'), 'joined', 'a group it is in does not count twice');
        assert.equal(await connection.invoke('join', 'c'), HubErrorCode.TooManyGroups);
        // Uncaught, the caller sees the HubException's text, as .NET shows a HubException.
        await assert.rejects(connection.invoke('joinUnguarded', 'c'), {
          message: `An unexpected error occurred invoking 'joinUnguarded' on the server. HubException: ${tooManyGroups(2)}`,
        });
        await connection.invoke('leave', 'a');
        assert.equal(await connection.invoke('join', 'c'), 'joined', 'leaving frees a place');
      } finally {
        await connection.stop();
        await server.close();
      }
    });
  }
});

describe('long polling: data for a client that stops polling', () => {
  test('is bounded by maxBufferedBytes: beyond it the connection ends (ERR_CONNECTION_BUFFER_FULL) and the next poll gets 404', async () => {
    const disconnects: (Error | undefined)[] = [];
    class WatchedHub extends LimitsHub {
      override onDisconnected(error?: Error): void {
        disconnects.push(error);
      }
    }
    const server = await startApp((app) => app.mapHub('/lp', WatchedHub, { maxBufferedBytes: 20_000, longPollTimeoutMs: 200 }));
    try {
      const negotiated = await fetch(`${server.baseUrl}/lp/negotiate?negotiateVersion=1`, { method: 'POST' });
      const { connectionToken } = (await negotiated.json()) as { connectionToken: string };
      const url = `${server.baseUrl}/lp?id=${connectionToken}`;
      assert.equal((await fetch(url)).status, 200); // the first poll starts the connection
      assert.equal((await fetch(url, { method: 'POST', body: '{"protocol":"json","version":1}\x1e' })).status, 200);
      assert.ok((await (await fetch(url)).text()).startsWith('{}\x1e')); // the handshake answer; the client polls no more
      const hub = server.app.hubContext(WatchedHub);
      const chunk = 'x'.repeat(4_000);
      // 40 kB for a client allowed 20 kB: the sends past the limit end its connection.
      for (let i = 0; i < 10; i++) await hub.clients.all.send('Data', chunk);
      // Polling again finds the connection over: at most a last answer (a Close), then 204 or 404.
      const statuses: number[] = [];
      let delivered = '';
      for (let i = 0; i < 3; i++) {
        const poll = await fetch(url);
        statuses.push(poll.status);
        delivered += await poll.text();
        if (poll.status !== 200) break;
      }
      assert.ok([204, 404].includes(statuses.at(-1)!), `poll statuses ${statuses.join(', ')}`);
      assert.ok(delivered.length < 20_000, 'no more than the limit was kept for the client');
      const deadline = Date.now() + 10_000;
      while (disconnects.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(disconnects.length, 1);
      assert.equal((disconnects[0] as { code?: string } | undefined)?.code, ConnectionsErrorCode.BufferFull);
      assert.equal((await fetch(url)).status, 404);
    } finally {
      await server.close();
    }
  });
});

describe('invocationRateLimit', () => {
  let server: TestApp;
  const failures: string[] = [];
  before(async () => {
    server = await startApp(
      (app) => {
        // One token per 1000 s: nothing refills while a test runs, however slow the machine.
        app.mapHub('/rate', LimitsHub, { invocationRateLimit: { perSecond: 0.001, burst: 3, closeAfterRejections: 4 } });
      },
      { instrumentation: { invocationFailed: (_hub, reason) => failures.push(reason) } },
    );
  });
  after(() => server.close());

  test('the official client: invocations beyond the burst fail with a stable text and do not run', async () => {
    const connection = officialClient(`${server.baseUrl}/rate`, 'WebSockets', 'json');
    try {
      await connection.start();
      for (let i = 0; i < 3; i++) assert.equal(await connection.invoke('echo', i), i);
      await assert.rejects(connection.invoke('echo', 3), { message: rateLimited('echo') });
      assert.equal(connection.state, signalR.HubConnectionState.Connected, 'a refusal does not close the connection');
      assert.ok(failures.includes('rate_limited'));
    } finally {
      await connection.stop();
    }
  });

  test('invocations waiting for a parallel-invocation slot are counted once', async () => {
    const client = await RawHubClient.open(`${server.baseUrl}/rate`, 'WebSockets', 'json');
    try {
      await client.handshake();
      // One frame: the second and third wait for the slot and are offered again; they must still pass.
      await client.send(...['1', '2', '3'].map((invocationId) => ({ type: 1, invocationId, target: 'slow', arguments: [invocationId] })));
      for (const id of ['1', '2', '3']) assert.deepEqual(await client.completion(id), { type: 3, invocationId: id, result: id });
    } finally {
      await client.connection.close();
    }
  });

  test('a client that keeps going after closeAfterRejections refusals in a row is closed without reconnect', async () => {
    const client = await RawHubClient.open(`${server.baseUrl}/rate`, 'WebSockets', 'json');
    try {
      await client.handshake();
      const burst = ['1', '2', '3', '4'].map((invocationId) => ({ type: 1, invocationId, target: 'echo', arguments: [invocationId] }));
      await client.send(...burst);
      assert.deepEqual(await client.completion('4'), { type: 3, invocationId: '4', error: rateLimited('echo') });
      // Three more refusals, one of them non-blocking (never answered), make four in a row.
      await client.send({ type: 1, target: 'echo', arguments: ['x'] }, { type: 1, invocationId: '5', target: 'echo', arguments: [5] }, { type: 1, invocationId: '6', target: 'echo', arguments: [6] });
      const close = await client.message((m) => m.type === 7, 'Close');
      assert.deepEqual(close, { type: 7, error: `Connection closed with an error. HubException: ${RATE_LIMIT_CLOSE}` });
      assert.deepEqual(client.output.messages.filter((m) => m['invocationId'] === '6'), [], 'the closing refusal is not answered');
    } finally {
      await client.connection.close();
    }
  });
});

describe('closeOnAuthenticationExpiration', () => {
  const SECRET = 'a-test-secret-of-sufficient-length-for-hs256';
  let server: TestApp;
  before(async () => {
    server = await startApp((app) => {
      const authenticate = jwtAuthenticator({ secret: SECRET });
      app.mapHub('/expiring', LimitsHub, { authenticate, requireAuthentication: true });
      app.mapHub('/lenient', LimitsHub, { authenticate, requireAuthentication: true, closeOnAuthenticationExpiration: false });
      app.mapHub('/single', LimitsHub, { authenticate, requireAuthentication: true, maxConnectionsPerUser: 1 });
    });
  });
  after(() => server.close());

  /** A token valid for 2 to 3 more seconds (`exp` has whole seconds): time to connect on a loaded machine. */
  async function shortLivedToken(): Promise<{ jwt: string; expiresAtMs: number }> {
    const exp = Math.floor(Date.now() / 1000) + 3;
    const jwt = await new SignJWT({ sub: 'ann' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET));
    return { jwt, expiresAtMs: exp * 1000 };
  }

  for (const transport of ['WebSockets', 'LongPolling'] as const) {
    test(`${transport}: the server closes the connection at expiry with a Close that says why`, async () => {
      const { jwt, expiresAtMs } = await shortLivedToken();
      const connection = officialClient(`${server.baseUrl}/expiring`, transport, 'json', { accessTokenFactory: () => jwt });
      const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
      try {
        await connection.start();
        assert.equal(await connection.invoke('echo', 'before'), 'before');
        const error = await withTimeout(closed, 'the close at expiry', 15_000);
        assert.ok(Date.now() >= expiresAtMs, 'closed only once expired');
        assert.equal(error?.message, `Server returned an error on close: Connection closed with an error. HubException: ${AUTHENTICATION_EXPIRED}`);
      } finally {
        await connection.stop();
      }
    });
  }

  test('allowReconnect: a client with automatic reconnect comes back with a fresh token', async () => {
    let current = await shortLivedToken();
    const fresh = await new SignJWT({ sub: 'ann' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${server.baseUrl}/expiring`, { transport: signalR.HttpTransportType.WebSockets, accessTokenFactory: () => current.jwt })
      .withAutomaticReconnect([0, 500, 1000, 2000])
      .configureLogging(signalR.LogLevel.None)
      .build();
    const reconnecting = new Promise<Error | undefined>((resolve) =>
      connection.onreconnecting((error) => {
        // From now on the token factory hands out a token valid for an hour.
        current = { jwt: fresh, expiresAtMs: 0 };
        resolve(error);
      }),
    );
    const reconnected = new Promise<void>((resolve) => connection.onreconnected(() => resolve()));
    try {
      await connection.start();
      const error = await withTimeout(reconnecting, 'reconnecting after the expiry', 15_000);
      assert.match(error?.message ?? '', /The authentication expired\./);
      await withTimeout(reconnected, 'reconnected', 15_000);
      assert.equal(await connection.invoke('echo', 'after'), 'after');
    } finally {
      await connection.stop();
    }
  });

  test('maxConnectionsPerUser through mapHub: the official client is refused at negotiate with 429 until the first one stops', async () => {
    const jwt = await new SignJWT({ sub: 'ann' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
    const first = officialClient(`${server.baseUrl}/single`, 'WebSockets', 'json', { accessTokenFactory: () => jwt });
    const second = officialClient(`${server.baseUrl}/single`, 'LongPolling', 'json', { accessTokenFactory: () => jwt });
    try {
      await first.start();
      await assert.rejects(second.start(), { message: "Failed to complete negotiation with the server: Error: Too many connections for this user.: Status code '429'" });
      await first.stop();
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await second.start();
          break;
        } catch (error) {
          // The server may not have seen the first one's close yet.
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      assert.equal(await second.invoke('echo', 'in'), 'in');
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  test('closeOnAuthenticationExpiration: false keeps a WebSocket open past its token', async () => {
    const { jwt, expiresAtMs } = await shortLivedToken();
    const connection = officialClient(`${server.baseUrl}/lenient`, 'WebSockets', 'json', { accessTokenFactory: () => jwt });
    try {
      await connection.start();
      while (Date.now() < expiresAtMs + 1500) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await connection.invoke('echo', 'still here'), 'still here');
      assert.equal(connection.state, signalR.HubConnectionState.Connected);
    } finally {
      await connection.stop();
    }
  });
});
