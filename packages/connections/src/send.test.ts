/** The HTTP send half (POST): size limit, backpressure, delivery. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { ConnectionsErrorCode } from './errors.js';
import { ConnectionRouter } from './router.js';
import { recordingHandler } from './test-support/handlers.js';
import { negotiate, request } from './test-support/http.js';
import { startServer, type TestServer } from './test-support/server.js';
import { within } from './test-support/wait.js';

describe('POST sends', () => {
  let server: TestServer;
  let base: string;
  const recording = recordingHandler();

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/lp', recording.handler, { maxRequestBodyBytes: 1000 });
    server = await startServer(router);
    base = `${server.baseUrl}/lp`;
  });
  after(() => server.close());

  async function started(): Promise<string> {
    const { connectionToken } = await negotiate(base);
    const url = `${base}?id=${connectionToken}`;
    await request(url);
    return url;
  }

  test('a body at the limit is delivered as one chunk', async () => {
    const url = await started();
    await recording.connections.next('connection');
    const body = Buffer.alloc(1000, 0x62);
    assert.equal((await request(url, { method: 'POST', body })).status, 200);
    assert.deepEqual(Buffer.from((await recording.data.next('data')).payload), body);
    await request(url, { method: 'DELETE' });
    await recording.closes.next('close');
  });

  test('a declared oversized body gets 413 and closes the connection with ERR_CONNECTION_MESSAGE_TOO_LARGE', async () => {
    const url = await started();
    await recording.connections.next('connection');
    const response = await request(url, { method: 'POST', body: Buffer.alloc(1001, 0x62) });
    assert.equal(response.status, 413);
    const closed = await recording.closes.next('close');
    assert.equal((closed.error as { code?: string } | undefined)?.code, ConnectionsErrorCode.MessageTooLarge);
    assert.equal((await request(url)).status, 404);
  });

  test('a chunked body that grows past the limit gets 413 too', async () => {
    const url = new URL(await started());
    await recording.connections.next('connection');
    const status = await within(new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      // No Content-Length: Node sends the body chunked.
      req.write(Buffer.alloc(600, 0x61));
      req.end(Buffer.alloc(600, 0x61));
    }), '413');
    assert.equal(status, 413);
    const closed = await recording.closes.next('close');
    assert.equal((closed.error as { code?: string } | undefined)?.code, ConnectionsErrorCode.MessageTooLarge);
  });

  test('while the application is paused, POSTs wait for resume() before they are answered', async () => {
    const url = await started();
    const connection = await recording.connections.next('connection');
    connection.pause();
    let answered = false;
    const post = request(url, { method: 'POST', body: 'held' }).then((response) => {
      answered = true;
      return response;
    });
    await server.arrived('POST', url.slice(url.indexOf('/lp')));
    // Let the body be read; the answer must still wait.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(answered, false);
    assert.equal(recording.data.length, 0);
    connection.resume();
    assert.equal((await post).status, 200);
    assert.equal(Buffer.from((await recording.data.next('data')).payload).toString(), 'held');
    await request(url, { method: 'DELETE' });
    await recording.closes.next('close');
  });

  test('a POST held while paused is answered 404 when the connection ends before resume()', async () => {
    const url = await started();
    const connection = await recording.connections.next('connection');
    connection.pause();
    const post = request(url, { method: 'POST', body: 'never delivered' });
    await server.arrived('POST', url.slice(url.indexOf('/lp')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    connection.close();
    // A poll collects the end of the closing connection (204, or 404 if it already ended).
    const [held] = await Promise.all([post, request(url)]);
    assert.equal(held.status, 404);
    assert.equal(recording.data.length, 0);
    await recording.closes.next('close');
  });

  test('a POST before the transport started is kept for the application', async () => {
    const { connectionToken } = await negotiate(base);
    const url = `${base}?id=${connectionToken}`;
    assert.equal((await request(url, { method: 'POST', body: 'early' })).status, 200);
    await request(url);
    await recording.connections.next('connection');
    assert.equal(Buffer.from((await recording.data.next('data')).payload).toString(), 'early');
    await request(url, { method: 'DELETE' });
    await recording.closes.next('close');
  });
});
