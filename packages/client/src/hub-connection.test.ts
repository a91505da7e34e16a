/**
 * Our client against our server, end to end on every transport × protocol: invocations, sends,
 * handlers, streams both ways with cancellation, client results, errors and lifecycle events.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCode, isClientError } from './errors.js';
import { HubConnectionState } from './hub-connection.js';
import { createClient, matrix, nextCall, startTestServer, type TestServer } from './test-support/test-server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});

for (const [transport, protocol] of matrix) {
  describe(`${transport} + ${protocol}`, () => {
    test('invokes with results, sends, receives calls and fails with the server text', async () => {
      const connection = createClient(server.hubUrl, transport, protocol);
      await connection.start();
      try {
        assert.equal(connection.state, HubConnectionState.Connected);
        assert.equal(await connection.invoke('transport'), transport);
        assert.equal(await connection.invoke('connectionId'), connection.connectionId);
        assert.equal(await connection.invoke('echo', 'héllo ✓'), 'héllo ✓');
        assert.equal(await connection.invoke('add', 2, 40), 42);

        const notified = nextCall<[string]>();
        connection.on('notified', notified.callback);
        await connection.send('notify', 'ping');
        assert.deepEqual(await notified.next, ['ping']);

        await assert.rejects(connection.invoke('fail', 'no way'), (error: unknown) => {
          assert.ok(isClientError(error, ClientErrorCode.HubError));
          assert.equal(error.message, "An unexpected error occurred invoking 'fail' on the server. HubException: no way");
          return true;
        });
        // The connection survives a failed invocation.
        assert.equal(await connection.invoke('echo', 'still here'), 'still here');
      } finally {
        await connection.stop();
      }
      assert.equal(connection.state, HubConnectionState.Disconnected);
      assert.equal(connection.connectionId, null);
    });

    test('streams from the server, and cancels by AbortSignal and by leaving the loop', async () => {
      const connection = createClient(server.hubUrl, transport, protocol);
      await connection.start();
      try {
        const items: number[] = [];
        for await (const n of connection.stream('counter', 5, 0)) items.push(n);
        assert.deepEqual(items, [0, 1, 2, 3, 4]);

        const id = connection.connectionId!;
        const controller = new AbortController();
        const seen: number[] = [];
        await assert.rejects(async () => {
          for await (const n of connection.stream('counter', 1_000, 5).withSignal(controller.signal)) {
            seen.push(n);
            if (n === 2) controller.abort(new Error('enough'));
          }
        }, /enough/);
        assert.deepEqual(seen, [0, 1, 2]);
        await server.recorder.until(() => server.recorder.cancelledStreams.filter((c) => c === id).length === 1);

        for await (const n of connection.stream('counter', 1_000, 5)) {
          if (n === 1) break;
        }
        await server.recorder.until(() => server.recorder.cancelledStreams.filter((c) => c === id).length === 2);
        assert.equal(await connection.invoke('echo', 'after cancel'), 'after cancel');
      } finally {
        await connection.stop();
      }
    });

    test('uploads async iterables as client-to-server streams', async () => {
      const connection = createClient(server.hubUrl, transport, protocol);
      await connection.start();
      try {
        async function* numbers(count: number): AsyncGenerator<number> {
          for (let i = 1; i <= count; i++) {
            await Promise.resolve();
            yield i;
          }
        }
        assert.equal(await connection.invoke('sum', numbers(100)), 5050);
        const failing = async function* (): AsyncGenerator<number> {
          yield await Promise.resolve(1);
          throw new Error('producer broke');
        };
        await assert.rejects(connection.invoke('sum', failing()), /HubException: producer broke/);
      } finally {
        await connection.stop();
      }
    });

    test('answers client results with the handler value, its error, or no result', async () => {
      const connection = createClient(server.hubUrl, transport, protocol);
      await connection.start();
      try {
        const remove = connection.on('answer', async (question) => {
          await Promise.resolve();
          return `${question}? yes`;
        });
        assert.equal(await connection.invoke('ask', 'ready'), 'ready? yes');
        remove();
        await assert.rejects(connection.invoke('ask', 'anyone'), /Client didn't provide a result\./);
        connection.on('answer', () => {
          throw new Error('from callback');
        });
        await assert.rejects(connection.invoke('ask', 'x'), /HubException: Error: from callback/);
      } finally {
        await connection.stop();
      }
    });
  });
}

describe('lifecycle', () => {
  test('stop() closes without a reason; the server sees a graceful disconnect', async () => {
    const connection = createClient(server.hubUrl, 'WebSockets');
    const closed = nextCall<[Error | undefined]>();
    connection.onClose(closed.callback);
    await connection.start();
    const id = connection.connectionId!;
    await connection.stop();
    assert.deepEqual(await closed.next, [undefined]);
    await server.recorder.until(() => server.recorder.disconnected.includes(id));
    await assert.rejects(connection.invoke('echo', 'x'), (error: unknown) => isClientError(error, ClientErrorCode.NotConnected));
  });

  test('start() twice is refused; a stopped connection starts again with a new id', async () => {
    const connection = createClient(server.hubUrl, 'LongPolling');
    await connection.start();
    const first = connection.connectionId;
    await assert.rejects(connection.start(), (error: unknown) => isClientError(error, ClientErrorCode.InvalidState));
    await connection.stop();
    await connection.start();
    assert.notEqual(connection.connectionId, first);
    assert.equal(await connection.invoke('echo', 'again'), 'again');
    await connection.stop();
  });

  test('skipNegotiation connects the WebSocket directly, without a connection id', async () => {
    const connection = createClient(server.hubUrl, 'WebSockets', 'json', { skipNegotiation: true });
    await connection.start();
    assert.equal(connection.connectionId, null);
    assert.equal(await connection.invoke('echo', 'direct'), 'direct');
    await connection.stop();
  });

  test('pending invocations fail when the connection closes', async () => {
    const connection = createClient(server.hubUrl, 'WebSockets');
    await connection.start();
    const asked = nextCall<[string]>();
    connection.on('answer', (question) => {
      asked.callback(question);
      return new Promise<string>(() => undefined); // never answers
    });
    const pending = connection.invoke('ask', 'forever');
    await asked.next;
    await connection.stop();
    await assert.rejects(pending, (error: unknown) => isClientError(error, ClientErrorCode.ConnectionClosed));
  });
});
