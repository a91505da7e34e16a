/** The long-polling lifecycle (wire reference §1.7) with raw HTTP requests. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from './connection.js';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, request, type RawResponse } from './test-support/http.js';
import { startServer, type TestServer } from './test-support/server.js';

describe('long polling', () => {
  let server: TestServer;
  let base: string;
  const recording = recordingHandler();

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/lp', recording.handler, { longPollTimeoutMs: 300 });
    server = await startServer(router);
    base = `${server.baseUrl}/lp`;
  });
  after(() => server.close());

  async function started(): Promise<{ url: string; connection: Connection }> {
    const { connectionToken } = await negotiate(base);
    const url = `${base}?id=${connectionToken}`;
    const first = await request(url);
    assertFirstPoll(first);
    return { url, connection: await recording.connections.next('connection') };
  }

  function assertNoCache(response: RawResponse): void {
    assert.equal(response.headers.get('cache-control'), 'no-cache, no-store');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    assert.equal(response.headers.get('expires'), 'Thu, 01 Jan 1970 00:00:00 GMT');
  }

  function assertFirstPoll(response: RawResponse): void {
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    assert.equal(response.headers.get('content-length'), '0');
    assertNoCache(response);
  }

  test('the first poll is answered at once and starts the application', async () => {
    const { connection } = await started();
    assert.equal(connection.transport, 'LongPolling');
    assert.equal(connection.request.method, 'GET');
  });

  test('a poll returns every byte buffered since the last one, in order, in one response', async () => {
    const { url, connection } = await started();
    connection.send(Buffer.from('a\u001e'));
    connection.send(Buffer.from('bc\u001e'));
    connection.send(Uint8Array.from([0, 255]));
    // Wait until the flush turn has queued everything before polling.
    await new Promise((resolve) => setImmediate(resolve));
    const poll = await request(url);
    assert.equal(poll.status, 200);
    assert.equal(poll.headers.get('content-type'), 'application/octet-stream');
    assert.equal(poll.headers.get('content-length'), '7');
    assert.deepEqual(poll.body, Buffer.concat([Buffer.from('a\u001ebc\u001e'), Buffer.from([0, 255])]));
    assertNoCache(poll);
  });

  test('a waiting poll is answered as soon as data is sent', async () => {
    const { url, connection } = await started();
    const poll = request(url);
    await server.arrived('GET', url.slice(url.indexOf('/lp')), 2);
    connection.send(Buffer.from('late'));
    assert.equal((await poll).text, 'late');
  });

  test('a poll without data times out with 200, empty, text/plain', async () => {
    const { url } = await started();
    const poll = await request(url);
    assert.equal(poll.status, 200);
    assert.equal(poll.headers.get('content-type'), 'text/plain');
    assert.equal(poll.headers.get('content-length'), '0');
    assert.equal(poll.body.length, 0);
  });

  test('a newer poll supersedes a waiting one with 204', async () => {
    const { url, connection } = await started();
    const path = url.slice(url.indexOf('/lp'));
    const older = request(url);
    await server.arrived('GET', path, 2);
    const newer = request(url);
    const superseded = await older;
    assert.equal(superseded.status, 204);
    connection.send(Buffer.from('to the newer'));
    assert.equal((await newer).text, 'to the newer');
  });

  test('DELETE answers 202, ends the waiting poll with 204 and closes the connection normally', async () => {
    const { url, connection } = await started();
    const poll = request(url);
    await server.arrived('GET', url.slice(url.indexOf('/lp')), 2);
    const del = await request(url, { method: 'DELETE' });
    assert.equal(del.status, 202);
    assert.equal((await poll).status, 204);
    const closed = await recording.closes.next('close');
    assert.equal(closed.connection, connection);
    assert.equal(closed.error, undefined);
  });

  test('a server-side close delivers queued data, then the next poll gets 204', async () => {
    const { url, connection } = await started();
    connection.send(Buffer.from('last words'));
    connection.close();
    assert.equal(connection.send(Buffer.from('too late')), false);
    const data = await request(url);
    assert.equal(data.status, 200);
    assert.equal(data.text, 'last words');
    const end = await request(url);
    assert.equal(end.status, 204);
    assert.equal((await recording.closes.next('close')).error, undefined);
    assert.equal((await request(url)).status, 404);
  });

  test('POST bodies reach the application in order; the answer is 200 with an empty body', async () => {
    const { url, connection } = await started();
    for (const text of ['one', 'two', 'three']) {
      const response = await request(url, { method: 'POST', body: text, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
      assert.equal(response.status, 200);
      assert.equal(response.text, '');
      const received = await recording.data.next('data');
      assert.equal(received.connection, connection);
      assert.equal(Buffer.from(received.payload).toString(), text);
    }
  });

  test('the connection request is the first poll, not a later one', async () => {
    const { connectionToken } = await negotiate(base);
    const url = `${base}?id=${connectionToken}&_=1`;
    await request(url, { headers: { 'x-first': 'yes' } });
    const connection = await recording.connections.next('connection');
    await request(`${base}?id=${connectionToken}&_=2`, { headers: { 'x-first': 'no' } });
    assert.equal(connection.request.headers['x-first'], 'yes');
    assert.equal(connection.request.url.searchParams.get('_'), '1');
  });
});
