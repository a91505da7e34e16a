/** CORS preflights and headers, and the WebSocket origin check. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { ConnectionRouter } from './router.js';
import { echoHandler } from './test-support/handlers.js';
import { closeOf, openWebSocket, refusedUpgrade, request } from './test-support/http.js';
import { startServer, type TestServer } from './test-support/server.js';

describe('CORS', () => {
  let server: TestServer;
  const app = 'https://app.example.com';

  before(async () => {
    const router = new ConnectionRouter({ cors: { origins: [app], credentials: true, maxAgeSeconds: 600 } });
    router.mapConnection('/chat', echoHandler());
    router.mapConnection('/public', echoHandler(), { cors: { origins: '*' } });
    router.mapConnection('/open', echoHandler(), { cors: { origins: (origin) => origin.endsWith('.example.org') } });
    server = await startServer(router);
  });
  after(() => server.close());

  const preflight = (origin: string, headers = 'authorization,x-requested-with,x-signalr-user-agent,content-type'): RequestInit => ({
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });

  test('a preflight from an allowed origin gets 204 with methods, headers and credentials', async () => {
    for (const path of ['/chat/negotiate', '/chat']) {
      const response = await request(`${server.baseUrl}${path}`, preflight(app));
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), app);
      assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(response.headers.get('vary'), 'Origin');
      assert.equal(response.headers.get('access-control-max-age'), '600');
      assert.match(response.headers.get('access-control-allow-methods')!, /GET.*POST.*DELETE/);
      const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase().split(/,\s*/);
      for (const header of ['authorization', 'x-requested-with', 'x-signalr-user-agent', 'content-type']) {
        assert.ok(allowed.includes(header), header);
      }
    }
  });

  test('a preflight from another origin gets 204 without allow headers', async () => {
    const response = await request(`${server.baseUrl}/chat/negotiate`, preflight('https://evil.example.com'));
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  test('actual requests carry the concrete origin and credentials', async () => {
    const response = await request(`${server.baseUrl}/chat/negotiate?negotiateVersion=1`, { method: 'POST', headers: { origin: app } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), app);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
  });

  test("origins '*' without credentials answers '*'; an endpoint's cors overrides the router's", async () => {
    const response = await request(`${server.baseUrl}/public/negotiate`, { method: 'POST', headers: { origin: 'https://anyone.test' } });
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
  });

  test('a predicate decides per origin', async () => {
    const ok = await request(`${server.baseUrl}/open/negotiate`, { method: 'POST', headers: { origin: 'https://a.example.org' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://a.example.org');
    const no = await request(`${server.baseUrl}/open/negotiate`, { method: 'POST', headers: { origin: 'https://a.example.com' } });
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  });

  test('WebSocket upgrades from a mismatched Origin get 403; allowed or absent origins connect', async () => {
    const refused = await refusedUpgrade(`${server.baseUrl}/chat`, { origin: 'https://evil.example.com' });
    assert.equal(refused.status, 403);
    for (const options of [{ origin: app }, {}]) {
      const socket = await openWebSocket(`${server.baseUrl}/chat`, options);
      socket.close();
      await closeOf(socket);
    }
    const anyone = await openWebSocket(`${server.baseUrl}/public`, { origin: 'https://evil.example.com' });
    anyone.close();
    await closeOf(anyone);
  });

  test('malformed options are refused with ERR_CONNECTION_INVALID_OPTION', () => {
    const invalid = (error: unknown): boolean => error instanceof ConnectionsError && error.code === ConnectionsErrorCode.InvalidOption;
    assert.throws(() => new ConnectionRouter({ cors: { origins: 'https://one.test' as unknown as string[] } }), invalid);
    assert.throws(() => new ConnectionRouter({ cors: { origins: '*', allowedHeaders: ['bad header'] } }), invalid);
    assert.throws(() => new ConnectionRouter({ cors: { origins: '*', maxAgeSeconds: -1 } }), invalid);
  });
});
