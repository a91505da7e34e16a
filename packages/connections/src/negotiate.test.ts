import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableTransportsJson, negotiateResponseBody, parseNegotiateQuery } from './negotiate.js';
import { ConnectionRouter } from './router.js';
import { echoHandler } from './test-support/handlers.js';
import { request } from './test-support/http.js';
import { openOfficialClient } from './test-support/official-client.js';
import { startServer, type TestServer } from './test-support/server.js';

const id = '[A-Za-z0-9_-]{22}';
const allTransports =
  '[{"transport":"WebSockets","transferFormats":["Text","Binary"]},' +
  '{"transport":"ServerSentEvents","transferFormats":["Text"]},' +
  '{"transport":"LongPolling","transferFormats":["Text","Binary"]}]';

describe('parseNegotiateQuery', () => {
  test('reads the version case-insensitively, defaults to 0 and caps at 1', () => {
    assert.deepEqual(parseNegotiateQuery('', 0, false), { ok: true, version: 0, statefulReconnect: false });
    assert.deepEqual(parseNegotiateQuery('negotiateVersion=1', 0, false), { ok: true, version: 1, statefulReconnect: false });
    assert.deepEqual(parseNegotiateQuery('NEGOTIATEVERSION=1', 0, false), { ok: true, version: 1, statefulReconnect: false });
    assert.deepEqual(parseNegotiateQuery('negotiateVersion=7', 0, false), { ok: true, version: 1, statefulReconnect: false });
    assert.deepEqual(parseNegotiateQuery('a=b&negotiateVersion=%201%20', 0, false), { ok: true, version: 1, statefulReconnect: false });
  });

  test('returns the .NET error texts', () => {
    assert.deepEqual(parseNegotiateQuery('negotiateVersion=1.5', 0, false),
      { ok: false, error: 'The client requested a non-integer protocol version.' });
    assert.deepEqual(parseNegotiateQuery('negotiateVersion=', 0, false),
      { ok: false, error: 'The client requested a non-integer protocol version.' });
    assert.deepEqual(parseNegotiateQuery('', 1, false),
      { ok: false, error: "The client requested version '0', but the server does not support this version." });
    assert.deepEqual(parseNegotiateQuery('negotiateVersion=-3', 0, false),
      { ok: false, error: "The client requested version '-3', but the server does not support this version." });
  });

  test('grants stateful reconnect only when allowed and asked for', () => {
    assert.equal((parseNegotiateQuery('negotiateVersion=1&useStatefulReconnect=true', 0, false) as { statefulReconnect: boolean }).statefulReconnect, false);
    assert.equal((parseNegotiateQuery('negotiateVersion=1&UseStatefulReconnect=True', 0, true) as { statefulReconnect: boolean }).statefulReconnect, true);
    assert.equal((parseNegotiateQuery('negotiateVersion=1', 0, true) as { statefulReconnect: boolean }).statefulReconnect, false);
    assert.equal((parseNegotiateQuery('negotiateVersion=1&useStatefulReconnect=no', 0, true) as { statefulReconnect: boolean }).statefulReconnect, false);
  });

  test('writes the fields in the .NET order', () => {
    const body = negotiateResponseBody({
      version: 1, connectionId: 'I', connectionToken: 'T', statefulReconnect: true,
      transportsJson: availableTransportsJson(['LongPolling']),
    });
    assert.equal(body, '{"useStatefulReconnect":true,"negotiateVersion":1,"connectionId":"I","connectionToken":"T",' +
      '"availableTransports":[{"transport":"LongPolling","transferFormats":["Text","Binary"]}]}');
  });
});

describe('POST {path}/negotiate', () => {
  let server: TestServer;

  before(async () => {
    const router = new ConnectionRouter();
    router.mapConnection('/echo', echoHandler());
    router.mapConnection('/no-ws', echoHandler(), { transports: ['LongPolling', 'ServerSentEvents'] });
    router.mapConnection('/v1-only', echoHandler(), { minimumNegotiateVersion: 1 });
    router.mapConnection('/stateful', echoHandler(), { allowStatefulReconnect: true });
    server = await startServer(router);
  });
  after(() => server.close());

  test('version 1: a public id and a separate secret token, every transport', async () => {
    const response = await request(`${server.baseUrl}/echo/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.equal(response.headers.get('content-length'), String(response.body.length));
    assert.match(response.text, new RegExp(`^\\{"negotiateVersion":1,"connectionId":"${id}","connectionToken":"${id}","availableTransports":${escape(allTransports)}\\}$`));
    const body = JSON.parse(response.text) as { connectionId: string; connectionToken: string };
    assert.notEqual(body.connectionId, body.connectionToken);
    // The token is the key: the public id does not open the connection.
    assert.equal((await request(`${server.baseUrl}/echo?id=${body.connectionId}`)).status, 404);
    assert.equal((await request(`${server.baseUrl}/echo?id=${body.connectionToken}`)).status, 200);
  });

  test('version 0: no token, the id is the key', async () => {
    const response = await request(`${server.baseUrl}/echo/negotiate`, { method: 'POST' });
    assert.match(response.text, new RegExp(`^\\{"negotiateVersion":0,"connectionId":"${id}","availableTransports":${escape(allTransports)}\\}$`));
    const body = JSON.parse(response.text) as { connectionId: string };
    assert.equal((await request(`${server.baseUrl}/echo?id=${body.connectionId}`)).status, 200);
  });

  test('every negotiate creates a distinct connection', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const body = JSON.parse((await request(`${server.baseUrl}/echo/negotiate?negotiateVersion=1`, { method: 'POST' })).text) as { connectionId: string; connectionToken: string };
      ids.add(body.connectionId).add(body.connectionToken);
    }
    assert.equal(ids.size, 40);
  });

  test('keeps the query string keys case-insensitive and ignores other keys', async () => {
    const response = await request(`${server.baseUrl}/ECHO/Negotiate?access_token=x&NegotiateVersion=1`, { method: 'POST' });
    assert.match(response.text, /^\{"negotiateVersion":1,/);
  });

  test('lists WebSockets only when the endpoint enables it', async () => {
    const response = await request(`${server.baseUrl}/no-ws/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.match(response.text, /"availableTransports":\[\{"transport":"ServerSentEvents","transferFormats":\["Text"\]\},\{"transport":"LongPolling","transferFormats":\["Text","Binary"\]\}\]\}$/);
  });

  test('errors travel as {"error":…} with status 200', async () => {
    const bad = await request(`${server.baseUrl}/echo/negotiate?negotiateVersion=one`, { method: 'POST' });
    assert.equal(bad.status, 200);
    assert.equal(bad.text, '{"error":"The client requested a non-integer protocol version."}');
    const old = await request(`${server.baseUrl}/v1-only/negotiate`, { method: 'POST' });
    assert.equal(old.status, 200);
    assert.deepEqual(JSON.parse(old.text), { error: "The client requested version '0', but the server does not support this version." });
  });

  test('the official client reports a negotiate error as its start() failure', async () => {
    await assert.rejects(openOfficialClient(`${server.baseUrl}/v1-only?negotiateVersion=0`, 'LongPolling', 'Text'),
      { message: "The client requested version '0', but the server does not support this version." });
  });

  test('useStatefulReconnect comes first and only when granted', async () => {
    const granted = await request(`${server.baseUrl}/stateful/negotiate?negotiateVersion=1&useStatefulReconnect=true`, { method: 'POST' });
    assert.match(granted.text, /^\{"useStatefulReconnect":true,"negotiateVersion":1,/);
    const notAsked = await request(`${server.baseUrl}/stateful/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.doesNotMatch(notAsked.text, /useStatefulReconnect/);
    const notAllowed = await request(`${server.baseUrl}/echo/negotiate?negotiateVersion=1&useStatefulReconnect=true`, { method: 'POST' });
    assert.doesNotMatch(notAllowed.text, /useStatefulReconnect/);
  });

  test('other verbs get 405', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await request(`${server.baseUrl}/echo/negotiate`, { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('content-type'), 'text/plain');
    }
  });
});

function escape(text: string): string {
  return text.replace(/[[\]{}()*+?.\\^$|]/g, '\\$&');
}
