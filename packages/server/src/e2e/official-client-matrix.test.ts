/**
 * What official-client.test.ts and auth.test.ts leave to a few combinations, on every transport ×
 * protocol: a JWT user connecting and being named, groups (in, out), users, 401 without a token, and
 * skipNegotiation with MessagePack as well as JSON.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import { SignJWT } from 'jose';
import { jwtAuthenticator } from '../auth/jwt.js';
import { nextCall, officialClient, startApp, transportMatrix, type TestApp } from '../test-support/e2e.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

const SECRET = 'a-test-secret-of-sufficient-length-for-hs256';

async function token(sub: string): Promise<string> {
  return await new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
}

/** Records every call of `method` on `connection`; `next()` waits for the next one (call it before the send). */
function heard(connection: signalR.HubConnection, method: string): { readonly calls: unknown[][]; next(): Promise<unknown[]> } {
  const calls: unknown[][] = [];
  let waiting: ((args: unknown[]) => void) | undefined;
  connection.on(method, (...args: unknown[]) => {
    calls.push(args);
    waiting?.(args);
    waiting = undefined;
  });
  return { calls, next: () => withTimeout(new Promise((resolve) => (waiting = resolve)), `${method} call`) };
}

describe('official client matrix: auth, groups, users, skipNegotiation', () => {
  let server: TestApp;
  before(async () => {
    server = await startApp((app) => {
      app.mapHub('/secure', E2EHub, { authenticate: jwtAuthenticator({ secret: SECRET }), authorization: { hub: true } });
    });
  });
  after(() => server.close());

  for (const [transport, protocol] of transportMatrix) {
    test(`${transport} + ${protocol}: a JWT user is named, reached as a user and through groups it joined`, async () => {
      const user = `user-${transport}-${protocol}`;
      const group = `group-${transport}-${protocol}`;
      const jwt = await token(user);
      const connection = officialClient(`${server.baseUrl}/secure`, transport, protocol, { accessTokenFactory: () => jwt });
      const messages = heard(connection, 'Message');
      const notices = heard(connection, 'Notice');
      await connection.start();
      try {
        const context = server.app.hubContext(E2EHub);
        assert.equal(await connection.invoke('whoAmI'), user);
        assert.equal(await connection.invoke('transport'), transport);

        const notice = notices.next();
        await context.clients.user(user).send('Notice', `for ${user}`);
        assert.deepEqual(await notice, [`for ${user}`]);

        await connection.invoke('joinGroup', group);
        const message = messages.next();
        await connection.invoke('sendToGroup', group, 'to the group');
        assert.deepEqual(await message, ['to the group']);

        await context.groups.remove(connection.connectionId!, group);
        await context.clients.group(group).send('Message', 'after leaving');
        // A round trip later nothing more arrived: the connection is out of the group.
        assert.equal(await connection.invoke('echo', 'sync'), 'sync');
        assert.deepEqual(messages.calls, [['to the group']]);
        assert.deepEqual(notices.calls, [[`for ${user}`]]);
      } finally {
        await connection.stop();
      }
    });

    test(`${transport} + ${protocol}: without a token start() fails with the 401 text`, async () => {
      const connection = officialClient(`${server.baseUrl}/secure`, transport, protocol);
      await assert.rejects(connection.start(), {
        message: "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'",
      });
      assert.equal(connection.state, signalR.HubConnectionState.Disconnected);
    });
  }

  for (const protocol of ['json', 'messagepack'] as const) {
    test(`WebSockets + ${protocol} with skipNegotiation: echo, a stream, a client result, a group; refused without a token`, async () => {
      const jwt = await token(`direct-${protocol}`);
      const connection = officialClient(`${server.baseUrl}/secure`, 'WebSockets', protocol, { skipNegotiation: true, accessTokenFactory: () => jwt });
      connection.on('GetNumber', () => 7);
      const message = nextCall<string>();
      connection.on('Message', message.callback);
      await connection.start();
      try {
        assert.equal(connection.connectionId, null);
        assert.equal(await connection.invoke('whoAmI'), `direct-${protocol}`);
        assert.deepEqual(await connection.invoke('echo', { list: [1, 'two'] }), { list: [1, 'two'] });
        const items: number[] = [];
        await withTimeout(
          new Promise<void>((resolve, reject) => {
            connection.stream<number>('counter', 3).subscribe({ next: (item) => items.push(item), complete: resolve, error: reject });
          }),
          'stream completion',
        );
        assert.deepEqual(items, [0, 1, 2]);
        assert.equal(await connection.invoke('getNumberFromClient'), 7);
        await connection.invoke('joinGroup', `direct-${protocol}`);
        await connection.invoke('sendToGroup', `direct-${protocol}`, 'direct group');
        assert.deepEqual(await withTimeout(message.next, 'group message'), ['direct group']);
      } finally {
        await connection.stop();
      }

      // The upgrade itself is refused (401); the official client reports its generic WebSocket text.
      const anonymous = officialClient(`${server.baseUrl}/secure`, 'WebSockets', protocol, { skipNegotiation: true });
      await assert.rejects(anonymous.start(), { message: /^WebSocket failed to connect\./ });
    });
  }
});
