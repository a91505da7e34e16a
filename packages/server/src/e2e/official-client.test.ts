/**
 * The official @microsoft/signalr client, unmodified, against Switchyard on a real HTTP server:
 * every transport × protocol combination it supports.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import { nextCall, officialClient, startApp, transportMatrix, type TestApp } from '../test-support/e2e.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

describe('official client, every transport and protocol', () => {
  let server: TestApp;
  before(async () => {
    server = await startApp((app) => app.mapHub('/hub', E2EHub, { enableDetailedErrors: true }));
  });
  after(() => server.close());

  for (const [transport, protocol] of transportMatrix) {
    test(`${transport} + ${protocol}: invoke, errors, streams both ways, cancel, client results`, async () => {
      const connection = officialClient(`${server.baseUrl}/hub`, transport, protocol);
      connection.on('GetNumber', () => 42);
      const canceled = nextCall();
      connection.on('StreamCanceled', canceled.callback);
      await connection.start();
      try {
        assert.equal(await connection.invoke('transport'), transport);
        assert.equal(await connection.invoke('echo', 'hello'), 'hello');
        assert.deepEqual(await connection.invoke('Echo', { nested: [1, 2] }), { nested: [1, 2] });
        await connection.send('echo', 'fire and forget');

        await assert.rejects(connection.invoke('throwException', 'An error occurred.'), {
          message: "An unexpected error occurred invoking 'throwException' on the server. InvalidOperationException: An error occurred.",
        });
        await assert.rejects(connection.invoke('throwHubException', 'Something bad'), {
          message: "An unexpected error occurred invoking 'throwHubException' on the server. HubException: Something bad",
        });
        await assert.rejects(connection.invoke('missing'), { message: "Unknown hub method 'missing'" });
        await assert.rejects(connection.invoke('counter', 1), {
          message: "The client attempted to invoke the streaming 'counter' method with a non-streaming invocation.",
        });

        const items = await collect(connection.stream<number>('counter', 3));
        assert.deepEqual(items, [0, 1, 2]);

        const upload = new signalR.Subject<string>();
        const concatenated = connection.invoke<string>('streamingConcat', upload);
        upload.next('a');
        upload.next('b');
        upload.next('c');
        upload.complete();
        assert.equal(await concatenated, 'abc');

        const subscription = connection.stream<number>('infinite').subscribe({
          next: () => subscription.dispose(),
          error: () => {},
          complete: () => {},
        });
        await withTimeout(canceled.next, 'StreamCanceled');

        assert.equal(await connection.invoke('getNumberFromClient'), 42);
      } finally {
        await connection.stop();
      }
    });
  }

  for (const transport of ['WebSockets', 'LongPolling'] as const) {
    test(`${transport}: a stream far larger than the connection's buffer limit reaches a slower client whole`, async () => {
      const connection = officialClient(`${server.baseUrl}/hub`, transport, 'json');
      await connection.start();
      try {
        // 3 MB produced as fast as the generator can: the stream must wait for the client, not overflow it.
        const items = await collect(connection.stream<string>('bulk', 3_000, 1_000));
        assert.equal(items.length, 3_000);
      } finally {
        await connection.stop();
      }
    });
  }

  test('groups reach their members only, across transports', async () => {
    const members = [
      officialClient(`${server.baseUrl}/hub`, 'WebSockets', 'messagepack'),
      officialClient(`${server.baseUrl}/hub`, 'LongPolling', 'json'),
    ];
    const outsider = officialClient(`${server.baseUrl}/hub`, 'ServerSentEvents', 'json');
    const heard = members.map(() => nextCall<string>());
    members.forEach((member, i) => member.on('Message', heard[i]!.callback));
    const outsiderHeard: unknown[] = [];
    outsider.on('Message', (message: unknown) => outsiderHeard.push(message));
    await Promise.all([...members, outsider].map((c) => c.start()));
    try {
      for (const member of members) await member.invoke('joinGroup', 'room');
      await outsider.invoke('sendToGroup', 'room', 'hi room');
      assert.deepEqual(await Promise.all(heard.map((h) => withTimeout(h.next, 'group message'))), [['hi room'], ['hi room']]);
      // The outsider is not in the group: a round trip later it still heard nothing.
      await outsider.invoke('echo', 'sync');
      assert.deepEqual(outsiderHeard, []);
    } finally {
      await Promise.all([...members, outsider].map((c) => c.stop()));
    }
  });

  test('skipNegotiation over WebSockets works and leaves the client without a connection id', async () => {
    const connection = officialClient(`${server.baseUrl}/hub`, 'WebSockets', 'json', { skipNegotiation: true });
    await connection.start();
    try {
      assert.equal(connection.connectionId, null);
      assert.equal(await connection.invoke('echo', 'direct'), 'direct');
    } finally {
      await connection.stop();
    }
  });

  test('hubContext reaches a client from outside the hub, including a client result', async () => {
    const connection = officialClient(`${server.baseUrl}/hub`, 'WebSockets', 'json');
    const heard = nextCall<string>();
    connection.on('Notice', heard.callback);
    connection.on('Result', (x: number) => x * 2);
    await connection.start();
    try {
      const context = server.app.hubContext(E2EHub);
      await context.clients.all.send('Notice', 'from outside');
      assert.deepEqual(await withTimeout(heard.next, 'Notice'), ['from outside']);
      assert.equal(await context.clients.client(connection.connectionId!).invoke<number>('Result', 21), 42);
    } finally {
      await connection.stop();
    }
  });
});

function collect<T>(stream: signalR.IStreamResult<T>): Promise<T[]> {
  return withTimeout(
    new Promise<T[]>((resolve, reject) => {
      const items: T[] = [];
      stream.subscribe({ next: (item) => items.push(item), complete: () => resolve(items), error: reject });
    }),
    'stream completion',
  );
}
