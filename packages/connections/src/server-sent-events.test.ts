/** Server-Sent Events framing and stream behaviour (wire reference §1.6). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, request } from './test-support/http.js';
import { startServer, type TestServer } from './test-support/server.js';
import { within } from './test-support/wait.js';
import { formatServerSentEvent } from './transports/server-sent-events.js';

describe('formatServerSentEvent', () => {
  const frame = (text: string): string => formatServerSentEvent(Buffer.from(text)).toString();

  test('one line becomes one data field and a blank line', () => {
    assert.equal(frame('{"type":1}\u001e'), 'data: {"type":1}\u001e\r\n\r\n');
  });

  test('splits on LF and drops a CR before it', () => {
    assert.equal(frame('a\nb\r\nc'), 'data: a\r\ndata: b\r\ndata: c\r\n\r\n');
  });

  test('keeps empty lines, including a trailing one', () => {
    assert.equal(frame('a\n\nb\n'), 'data: a\r\ndata: \r\ndata: b\r\ndata: \r\n\r\n');
  });

  test('keeps a CR that does not end a line', () => {
    assert.equal(frame('a\rb'), 'data: a\rb\r\n\r\n');
  });
});

describe('Server-Sent Events transport', () => {
  let server: TestServer;
  let base: string;
  const recording = recordingHandler();

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/sse', recording.handler);
    server = await startServer(router);
    base = `${server.baseUrl}/sse`;
  });
  after(() => server.close());

  test('headers, the initial comment, and one event per flush', async () => {
    const { connectionToken } = await negotiate(base);
    const controller = new AbortController();
    const response = await fetch(`${base}?id=${connectionToken}`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    assert.equal(response.headers.get('cache-control'), 'no-cache,no-store');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    assert.equal(response.headers.get('content-encoding'), 'identity');
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (expected: string): Promise<void> => {
      while (text.length < expected.length) {
        const chunk = await within(reader.read(), 'event-stream bytes');
        assert.equal(chunk.done, false);
        text += Buffer.from(chunk.value).toString();
      }
      assert.equal(text, expected);
      text = '';
    };
    await readUntil(':\r\n');
    const connection = await recording.connections.next('connection');
    assert.equal(connection.transport, 'ServerSentEvents');
    assert.equal(connection.supportsBinary, false);
    // Two payloads sent in the same turn form one event; the newline splits it into two data lines.
    connection.send(Buffer.from('first\u001e'));
    connection.send(Buffer.from('second\nline\u001e'));
    await readUntil('data: first\u001esecond\r\ndata: line\u001e\r\n\r\n');
    controller.abort();
    // Dropping the stream is how clients end SSE: a normal close.
    assert.equal((await recording.closes.next('close')).error, undefined);
    assert.equal((await request(`${base}?id=${connectionToken}`, { method: 'POST', body: 'x' })).status, 404);
  });

  test('a server close ends the stream after the queued events', async () => {
    const { connectionToken } = await negotiate(base);
    const response = await fetch(`${base}?id=${connectionToken}`, { headers: { accept: 'text/event-stream' } });
    const connection = await recording.connections.next('connection');
    connection.send(Buffer.from('bye'));
    connection.close();
    assert.equal(await within(response.text(), 'stream end'), ':\r\ndata: bye\r\n\r\n');
    assert.equal((await recording.closes.next('close')).error, undefined);
  });
});
