import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { decodeJwt } from 'jose';
import { NAME_IDENTIFIER_CLAIM, startConformanceServer, type ConformanceServer } from './index.js';

/**
 * `jwt` with one character in the middle of its signature changed. Not at the end: the last base64url
 * character carries spare bits that jose ignores, so changing it may keep the very same signature.
 */
function forgeSignature(jwt: string): string {
  const signatureStart = jwt.lastIndexOf('.') + 1;
  const at = signatureStart + Math.floor((jwt.length - signatureStart) / 2);
  return jwt.slice(0, at) + (jwt[at] === 'A' ? 'B' : 'A') + jwt.slice(at + 1);
}

describe('the plain-HTTP endpoints of the conformance server', () => {
  let server: ConformanceServer;
  before(async () => {
    server = await startConformanceServer({ port: 0 });
  });
  after(() => server.close());

  test('GET /generateJwtToken issues the reference server\'s token shape', async () => {
    const response = await fetch(`${server.url}/generateJwtToken`);
    assert.equal(response.status, 200);
    const claims = decodeJwt(await response.text());
    assert.equal(claims[NAME_IDENTIFIER_CLAIM], 'testuser');
    assert.equal(claims.iss, 'SignalRTestServer');
    assert.equal(claims.aud, 'SignalRTests');
    const secondsLeft = (claims.exp ?? 0) - Date.now() / 1000;
    assert.ok(secondsLeft > 0 && secondsLeft <= 5, `expires in ${secondsLeft} s`);
  });

  test('/authorizedhub negotiate answers 401 with an empty body without a token', async () => {
    const response = await fetch(`${server.url}/authorizedhub/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(response.status, 401);
    assert.equal(await response.text(), '');
  });

  test('/authorizedhub negotiate accepts the token from the header and from access_token', async () => {
    const token = await (await fetch(`${server.url}/generateJwtToken`)).text();
    const viaHeader = await fetch(`${server.url}/authorizedhub/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(viaHeader.status, 200);
    const viaQuery = await fetch(`${server.url}/authorizedhub/negotiate?negotiateVersion=1&access_token=${token}`, {
      method: 'POST',
    });
    assert.equal(viaQuery.status, 200);
    const forged = await fetch(`${server.url}/authorizedhub/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${forgeSignature(token)}` },
    });
    assert.equal(forged.status, 401);
  });

  test('/redirect answers with the hub URL and a server-wide counter that grows per request', async () => {
    const base = 'http://example.test:1234';
    const redirect = async (path: string): Promise<string> => {
      const response = await fetch(`${server.url}${path}?numRedirects=0&baseUrl=${base}&negotiateVersion=1`, {
        method: 'POST',
      });
      assert.equal(response.status, 200);
      assert.deepEqual(response.headers.getSetCookie(), [], 'the redirect responder sets no cookies');
      return ((await response.json()) as { url: string }).url;
    };
    const first = await redirect('/redirect/negotiate');
    const match = /^http:\/\/example\.test:1234\/testHub\?numRedirects=(\d+)$/.exec(first);
    assert.ok(match, first);
    const n = Number(match[1]);
    assert.equal(await redirect('/Redirect/negotiate'), `${base}/testHub?numRedirects=${n + 1}`);
    assert.equal(await redirect('/redirect'), `${base}/testHub?numRedirects=${n + 2}`);
  });

  test('/bad-negotiate answers 400 with a text body', async () => {
    const response = await fetch(`${server.url}/bad-negotiate/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(response.status, 400);
    assert.equal(await response.text(), 'Some response from server');
  });

  test('negotiate sets the test cookies, the expired one in the past, none of them Secure on http', async () => {
    const response = await fetch(`${server.url}/testhub/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(response.status, 200);
    const cookies = response.headers.getSetCookie();
    assert.ok(cookies.includes('testCookie=testValue; path=/'), cookies.join(' | '));
    assert.ok(cookies.includes('testCookie2=testValue2; path=/'), cookies.join(' | '));
    const expired = cookies.find((cookie) => cookie.startsWith('expiredCookie=doesntmatter; '));
    assert.ok(expired !== undefined, cookies.join(' | '));
    const expires = /expires=([^;]+)/.exec(expired)?.[1];
    assert.ok(expires !== undefined && Date.parse(expires) < Date.now(), expired);
    assert.ok(cookies.every((cookie) => !/secure/i.test(cookie)));
  });

  test('hub paths are case-insensitive, as ASP.NET Core routing is', async () => {
    const response = await fetch(`${server.url}/testHub/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { connectionId: string; availableTransports: { transport: string }[] };
    assert.equal(typeof body.connectionId, 'string');
    assert.deepEqual(
      body.availableTransports.map((t) => t.transport),
      ['WebSockets', 'ServerSentEvents', 'LongPolling'],
    );
  });

  test('/testhub-nowebsockets offers only Server-Sent Events and long polling', async () => {
    const response = await fetch(`${server.url}/testhub-nowebsockets/negotiate?negotiateVersion=1`, { method: 'POST' });
    const body = (await response.json()) as { availableTransports: { transport: string; transferFormats: string[] }[] };
    assert.deepEqual(body.availableTransports, [
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
  });

  test('CORS echoes the origin with credentials and answers every preflight 204', async () => {
    const response = await fetch(`${server.url}/testhub/negotiate`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:9876',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-requested-with,x-signalr-user-agent',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:9876');
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(response.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(response.headers.get('access-control-allow-headers'), 'x-requested-with,x-signalr-user-agent');

    const simple = await fetch(`${server.url}/generateJwtToken`, { headers: { Origin: 'http://example.test' } });
    assert.equal(simple.headers.get('access-control-allow-origin'), 'http://example.test');
  });

  test('/echoredirect redirects to /echo with 307, keeping the query', async () => {
    const response = await fetch(`${server.url}/echoredirect/negotiate?negotiateVersion=1`, {
      method: 'POST',
      redirect: 'manual',
    });
    assert.equal(response.status, 307);
    assert.equal(response.headers.get('location'), '/echo/negotiate?negotiateVersion=1');
  });

  test('/clientresult answers 200 with the error text for an unknown connection', async () => {
    const response = await fetch(`${server.url}/clientresult/no-such-connection`);
    assert.equal(response.status, 200);
    assert.notEqual(await response.text(), '');
  });

  test('/deployment describes the server; unknown paths are 404', async () => {
    const deployment = await fetch(`${server.url}/deployment`);
    assert.equal(deployment.status, 200);
    assert.equal(((await deployment.json()) as { Server: string }).Server, '@switchyard/conformance');
    assert.equal((await fetch(`${server.url}/nothing-here`)).status, 404);
    assert.equal((await fetch(`${server.url}/generateJwtToken`, { method: 'POST' })).status, 405);
  });
});

describe('the optional https listener', () => {
  test('serves a self-signed certificate and marks the negotiate cookies Secure and Partitioned', async (t) => {
    const server = await startConformanceServer({ port: 0, httpsPort: 0 });
    t.after(() => server.close());
    assert.ok(server.httpsUrl?.startsWith('https://127.0.0.1:'));
    const { status, cookies } = await new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
      const req = httpsRequest(
        `${server.httpsUrl}/testhub/negotiate?negotiateVersion=1`,
        { method: 'POST', rejectUnauthorized: false, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [] }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    assert.ok(cookies.includes('testCookie=testValue; path=/; secure; samesite=none; partitioned'), cookies.join(' | '));
    assert.ok(cookies.some((cookie) => cookie.startsWith('expiredCookie=') && cookie.endsWith('; partitioned')));
  });
});
