/**
 * Wire compatibility, judged by the official client's raw HttpConnection: negotiate, every transport,
 * text and binary, sending and receiving through an echo endpoint (the official /echo behaviour).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionRouter } from './router.js';
import { echoHandler, recordingHandler } from './test-support/handlers.js';
import { asText, openOfficialClient } from './test-support/official-client.js';
import { startServer, type TestServer } from './test-support/server.js';
import { within } from './test-support/wait.js';
import type { TransportKind } from './connection.js';

describe('official HttpConnection against an echo endpoint', () => {
  let server: TestServer;
  const recording = recordingHandler();

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/echo', echoHandler('Text'));
    router.mapConnection('/echo-binary', echoHandler('Binary'));
    router.mapConnection('/record', recording.handler);
    server = await startServer(router);
  });
  after(() => server.close());

  const cases: [TransportKind, 'Text' | 'Binary'][] = [
    ['WebSockets', 'Text'],
    ['WebSockets', 'Binary'],
    ['ServerSentEvents', 'Text'],
    ['LongPolling', 'Text'],
    ['LongPolling', 'Binary'],
  ];

  for (const [transport, format] of cases) {
    test(`${transport} echoes ${format}`, async () => {
      const path = format === 'Binary' ? '/echo-binary' : '/echo';
      const client = await openOfficialClient(`${server.baseUrl}${path}`, transport, format);
      try {
        assert.equal(typeof client.connection.connectionId, 'string');
        if (format === 'Text') {
          await client.connection.send('hello\u001e');
          assert.equal(await client.received.next('echo'), 'hello\u001e');
          // Multi-byte UTF-8 and a payload with newlines survive every text transport.
          await client.connection.send('ünï\ncode 🚀\u001e');
          assert.equal(asText(await client.received.next('echo')), 'ünï\ncode 🚀\u001e');
        } else {
          const bytes = Uint8Array.from([0, 1, 2, 0xff, 0x1e, 10, 13]);
          await client.connection.send(bytes.buffer);
          const echoed = await client.received.next('echo');
          assert.ok(echoed instanceof ArrayBuffer, 'binary arrives as ArrayBuffer');
          assert.deepEqual(new Uint8Array(echoed), bytes);
        }
      } finally {
        await client.connection.stop();
      }
      assert.equal(await within(client.closed, 'close'), undefined);
    });
  }

  for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
    test(`${transport}: the application sees the transport, the request, and a clean close`, async () => {
      const client = await openOfficialClient(`${server.baseUrl}/record?tenant=a`, transport, 'Text');
      const connection = await recording.connections.next('connection');
      assert.equal(connection.transport, transport);
      assert.equal(connection.connectionId, client.connection.connectionId);
      assert.equal(connection.supportsBinary, transport !== 'ServerSentEvents');
      assert.equal(connection.request.url.pathname, '/record');
      assert.equal(connection.request.url.searchParams.get('tenant'), 'a');
      assert.equal(connection.request.method, 'GET');
      assert.equal(connection.request.remoteAddress, '127.0.0.1');
      assert.equal(connection.statefulReconnect, false);
      assert.equal(connection.signal.aborted, false);
      await client.connection.send('ping');
      assert.equal(Buffer.from((await recording.data.next('data')).payload).toString(), 'ping');
      await client.connection.stop();
      const closed = await recording.closes.next('server-side close');
      assert.equal(closed.connection, connection);
      assert.equal(closed.error, undefined);
      assert.equal(connection.signal.aborted, true);
      assert.equal(connection.send(Buffer.from('late')), false);
    });
  }

  for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
    test(`${transport}: a server-side close() delivers what was queued, then closes the client cleanly`, async () => {
      const client = await openOfficialClient(`${server.baseUrl}/record`, transport, 'Text');
      const connection = await recording.connections.next('connection');
      connection.send(Buffer.from('one\u001e'));
      connection.send(Buffer.from('two\u001e'));
      connection.close();
      let text = '';
      while (text.length < 'one\u001etwo\u001e'.length) text += asText(await client.received.next('data'));
      assert.equal(text, 'one\u001etwo\u001e');
      assert.equal(await within(client.closed, 'client close'), undefined);
      assert.equal((await recording.closes.next('server close')).error, undefined);
    });
  }
});
