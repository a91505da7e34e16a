/**
 * Negotiate through HubConnection.start(): the request the server sees, redirects with access tokens,
 * and every way negotiate can fail, with the official client's texts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessDeniedError, bearerToken } from '@switchyard/server';
import { ClientErrorCode, isClientError } from './errors.js';
import { HubConnection } from './hub-connection.js';
import { json, startPlainServer, type PlainServer } from './test-support/http-server.js';
import { createClient, startTestServer, type TestServer } from './test-support/test-server.js';

async function startFails(url: string, options: { statefulReconnect?: boolean } = {}): Promise<unknown> {
  const connection = new HubConnection({ url, transport: 'LongPolling', ...options });
  try {
    await connection.start();
  } catch (error) {
    return error;
  }
  await connection.stop();
  throw new Error('start() should have failed');
}

describe('negotiate', () => {
  let fake: PlainServer;
  let hub: TestServer;
  before(async () => {
    // The real hub accepts exactly one token, as an authenticate hook would.
    hub = await startTestServer({
      hubOptions: {
        authenticate: async (req) => {
          await Promise.resolve();
          const token = bearerToken(req);
          if (token !== 'redirect-token') throw new AccessDeniedError(401);
          return { userId: 'alice', claims: {} };
        },
      },
    });
    fake = await startPlainServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      if (path === '/redirect/negotiate') return json(res, { url: hub.hubUrl, accessToken: 'redirect-token' });
      if (path === '/loop/negotiate') return json(res, { url: `${fake.baseUrl}/loop` });
      if (path === '/error/negotiate') return json(res, { error: 'The client requested version \'1\', but the server does not support this version.' });
      if (path === '/unauthorized/negotiate') return res.writeHead(401, { 'Content-Length': 0 }).end();
      if (path === '/text/negotiate') return res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Some response from server');
      if (path === '/aspnet/negotiate') return json(res, { ProtocolVersion: '1.5' });
      if (path === '/stateful/negotiate') {
        return json(res, { useStatefulReconnect: true, negotiateVersion: 1, connectionId: 'a', connectionToken: 'b', availableTransports: [] });
      }
      if (path === '/garbage/negotiate') return res.writeHead(200, { 'Content-Type': 'application/json' }).end('{not json');
      res.writeHead(404, { 'Content-Length': 0 }).end();
    });
  });
  after(async () => {
    await fake.close();
    await hub.close();
  });

  test('sends POST <url>/negotiate?negotiateVersion=1&useStatefulReconnect=true, keeping the query', async () => {
    const plain = await startPlainServer((_req, res) => json(res, { error: 'stop here' }));
    try {
      await startFails(`${plain.baseUrl}/chat?tenant=7`);
      assert.equal(plain.requests[0]!.method, 'POST');
      assert.equal(plain.requests[0]!.url, '/chat/negotiate?tenant=7&negotiateVersion=1&useStatefulReconnect=true');
      await startFails(`${plain.baseUrl}/chat/`, { statefulReconnect: false });
      assert.equal(plain.requests[1]!.url, '/chat/negotiate?negotiateVersion=1');
    } finally {
      await plain.close();
    }
  });

  test('follows a redirect and uses its access token for negotiate and every transport', async () => {
    for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
      const connection = createClient(`${fake.baseUrl}/redirect`, transport);
      await connection.start();
      assert.equal(await connection.invoke('whoAmI'), 'alice');
      assert.equal(await connection.invoke('transport'), transport);
      await connection.stop();
    }
  });

  test('gives up after 100 redirects', async () => {
    const requestsBefore = fake.requests.length;
    const error = await startFails(`${fake.baseUrl}/loop`);
    assert.ok(isClientError(error, ClientErrorCode.NegotiateFailed));
    assert.equal(error.message, 'Negotiate redirection limit exceeded.');
    assert.equal(fake.requests.length - requestsBefore, 100);
  });

  test('reports failures with the official texts and status codes', async () => {
    const cases: Array<[string, string, number | undefined]> = [
      ['error', "The client requested version '1', but the server does not support this version.", undefined],
      ['unauthorized', "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'", 401],
      ['missing', "Failed to complete negotiation with the server: Error: Not Found: Status code '404' Either this is not a SignalR endpoint or there is a proxy blocking the connection.", 404],
      ['text', "Failed to complete negotiation with the server: Error: Some response from server: Status code '500'", 500],
      ['aspnet', 'Detected a connection attempt to an ASP.NET SignalR Server. This client only supports connecting to an ASP.NET Core SignalR Server.', undefined],
      ['garbage', 'Failed to complete negotiation with the server: the response is not JSON.', undefined],
    ];
    for (const [path, message, statusCode] of cases) {
      const error = await startFails(`${fake.baseUrl}/${path}`);
      assert.ok(isClientError(error, ClientErrorCode.NegotiateFailed), path);
      assert.equal(error.message, message);
      assert.equal(error.statusCode, statusCode);
    }
  });

  test('refuses stateful reconnect the client did not ask for', async () => {
    const error = await startFails(`${fake.baseUrl}/stateful`, { statefulReconnect: false });
    assert.ok(isClientError(error, ClientErrorCode.NegotiateFailed));
    assert.equal(error.message, "Client didn't negotiate Stateful Reconnect but the server did.");
  });

  test('a network failure names the cause', async () => {
    const closed = await startPlainServer(() => undefined);
    const url = closed.baseUrl;
    await closed.close();
    const error = await startFails(`${url}/hub`);
    assert.ok(isClientError(error, ClientErrorCode.NegotiateFailed));
    assert.match(error.message, /^Failed to complete negotiation with the server: TypeError: fetch failed/);
  });
});
