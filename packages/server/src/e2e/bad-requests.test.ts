/**
 * Bad HTTP requests against a hub app (wire reference §1.3): wrong verbs, unknown and expired
 * connection tokens, unknown and expired access tokens. Each gets .NET's status and body, the
 * connection it aimed at (if any) keeps working, and so does every official client on the server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { jwtAuthenticator } from '../auth/jwt.js';
import { Bystanders } from '../test-support/bystanders.js';
import { startApp, type TestApp, type TransportKind } from '../test-support/e2e.js';
import { RawConnection, RawHubClient, type TransportEnd } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

const SECRET = 'a-test-secret-of-sufficient-length-for-hs256';

async function token(sub: string, expiresAt: number | string = '1h', secret = SECRET): Promise<string> {
  return await new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresAt).sign(new TextEncoder().encode(secret));
}

/**
 * `jwt` with one signature character changed. Not the last one: it carries only 4 of its 6 bits, so
 * some replacements decode to the very same signature.
 */
function forge(jwt: string): string {
  const at = jwt.length - 10;
  return jwt.slice(0, at) + (jwt[at] === 'A' ? 'B' : 'A') + jwt.slice(at + 1);
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

/** Status and body of a WebSocket upgrade the server refuses (fails the test if it accepts). */
function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers });
  return withTimeout(
    new Promise<Answer>((resolve, reject) => {
      socket.once('open', () => {
        socket.terminate();
        reject(new Error('the upgrade was accepted'));
      });
      socket.once('error', () => {});
      socket.once('unexpected-response', (_request, response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          socket.terminate();
          resolve({ status: response.statusCode ?? 0, text });
        });
      });
    }),
    'refused upgrade',
  );
}

const bearer = (jwt: string): Record<string, string> => ({ authorization: `Bearer ${jwt}` });
const eventStream = { accept: 'text/event-stream' };

const cleanEnd: Record<TransportKind, TransportEnd> = {
  WebSockets: { transport: 'WebSockets', code: 1000 },
  ServerSentEvents: { transport: 'ServerSentEvents' },
  LongPolling: { transport: 'LongPolling', status: 204 },
};

describe('bad HTTP requests, end to end', () => {
  let server: TestApp;
  let hub: string;
  let secure: string;
  let shortPolls: string;
  let bystanders: Bystanders;
  let secureBystanders: Bystanders;
  before(async () => {
    server = await startApp((app) => {
      app.mapHub('/hub', E2EHub);
      const authenticate = jwtAuthenticator({ secret: SECRET });
      app.mapHub('/secure', E2EHub, { authenticate, authorization: { hub: true } });
      app.mapHub('/short-polls', E2EHub, { authenticate, authorization: { hub: true }, longPollTimeoutMs: 200 });
    });
    hub = `${server.baseUrl}/hub`;
    secure = `${server.baseUrl}/secure`;
    shortPolls = `${server.baseUrl}/short-polls`;
    const jwt = await token('bystander');
    [bystanders, secureBystanders] = await Promise.all([Bystanders.start(hub), Bystanders.start(secure, { accessTokenFactory: () => jwt })]);
  });
  after(async () => {
    await Promise.all([bystanders.stop(), secureBystanders.stop()]);
    await server.close();
  });

  async function assertEveryoneServed(tag: string): Promise<void> {
    await Promise.all([bystanders.assertServing(tag), secureBystanders.assertServing(tag)]);
  }

  test('wrong verbs: 405 on negotiate and the hub path; POST to a WebSocket 405, DELETE on an event stream 400', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      assert.equal((await request(`${hub}/negotiate?negotiateVersion=1`, { method })).status, 405, `${method} negotiate`);
    }
    assert.equal((await refusedUpgrade(`${hub}/negotiate`)).status, 405);

    const ws = await RawHubClient.open(hub, 'WebSockets', 'json');
    const sse = await RawHubClient.open(hub, 'ServerSentEvents', 'json');
    try {
      await Promise.all([ws.handshake(), sse.handshake()]);
      for (const client of [ws, sse]) {
        for (const method of ['PUT', 'PATCH']) {
          const answer = await request(client.connection.url, { method, body: 'x' });
          assert.equal(answer.status, 405, `${method} on ${client.connection.transport}`);
        }
      }
      assert.deepEqual(await request(ws.connection.url, { method: 'POST', body: '{"type":6}\x1e' }), {
        status: 405,
        text: 'POST requests are not allowed for WebSocket connections.',
      });
      assert.deepEqual(await request(sse.connection.url, { method: 'DELETE' }), {
        status: 400,
        text: 'Cannot terminate this connection using the DELETE endpoint.',
      });
      assert.deepEqual(await request(sse.connection.url), { status: 400, text: 'Cannot change transports mid-connection' });
      assert.deepEqual(await request(sse.connection.url, { headers: eventStream }), { status: 409, text: '' });
      // The connections those requests aimed at are unharmed.
      assert.deepEqual(await ws.invoke('1', 'echo', 'ws ok'), { type: 3, invocationId: '1', result: 'ws ok' });
      assert.deepEqual(await sse.invoke('1', 'echo', 'sse ok'), { type: 3, invocationId: '1', result: 'sse ok' });
      await assertEveryoneServed('after wrong verbs');
    } finally {
      await Promise.all([ws.connection.close(), sse.connection.close()]);
    }
  });

  test('unknown connection tokens: 404 "No Connection with that ID" on every verb and on upgrades; no id: 400', async () => {
    const unknown = `${hub}?id=not-a-connection-token`;
    for (const init of [{}, { headers: eventStream }, { method: 'POST', body: '{"type":6}\x1e' }, { method: 'DELETE' }]) {
      assert.deepEqual(await request(unknown, init), { status: 404, text: 'No Connection with that ID' });
      assert.deepEqual(await request(hub, init), { status: 400, text: 'Connection ID required' });
    }
    assert.deepEqual(await refusedUpgrade(unknown), { status: 404, text: 'No Connection with that ID' });
    // A connection id is public, not a token: it does not open the connection.
    const negotiated = (await (await fetch(`${hub}/negotiate?negotiateVersion=1`, { method: 'POST' })).json()) as { connectionId: string };
    assert.deepEqual(await request(`${hub}?id=${negotiated.connectionId}`), { status: 404, text: 'No Connection with that ID' });
    await assertEveryoneServed('after unknown tokens');
  });

  for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
    test(`${transport}: the token of a connection that ended is unknown from then on (404)`, async () => {
      const client = await RawHubClient.open(hub, transport, 'json');
      await client.handshake();
      await client.send({ type: 7 }); // a client Close: the server ends the connection
      assert.deepEqual(await withTimeout(client.connection.ended, 'the server ending the transport'), cleanEnd[transport]);
      assert.deepEqual(client.output.messages, [{ type: 7 }]);
      const url = client.connection.url;
      await waitUntil(async () => (await request(url, { method: 'POST', body: '{"type":6}\x1e' })).status === 404, 'the token to be forgotten');
      for (const init of [{}, { headers: eventStream }, { method: 'DELETE' }]) {
        assert.deepEqual(await request(url, init), { status: 404, text: 'No Connection with that ID' });
      }
      assert.deepEqual(await refusedUpgrade(url), { status: 404, text: 'No Connection with that ID' });
      await client.connection.close();
      await assertEveryoneServed('after a stale token');
    });
  }

  test('access tokens: none, forged, signed with another key or expired get 401 with an empty body at negotiate', async () => {
    const valid = await token('ann');
    const rejected = [
      undefined,
      'not-a-jwt',
      forge(valid),
      await token('ann', '1h', 'another-secret-of-sufficient-length-for-hs256'),
      await token('ann', Math.floor(Date.now() / 1000) - 60),
    ];
    for (const jwt of rejected) {
      const answer = await request(`${secure}/negotiate?negotiateVersion=1`, { method: 'POST', headers: jwt === undefined ? {} : bearer(jwt) });
      assert.deepEqual(answer, { status: 401, text: '' }, String(jwt));
      // The query form, as browsers send it.
      const query = jwt === undefined ? '' : `&access_token=${encodeURIComponent(jwt)}`;
      assert.equal((await request(`${secure}/negotiate?negotiateVersion=1${query}`, { method: 'POST' })).status, 401);
    }
    assert.equal((await request(`${secure}/negotiate?negotiateVersion=1`, { method: 'POST', headers: bearer(valid) })).status, 200);
    await assertEveryoneServed('after refused negotiations');
  });

  test('access tokens on transport requests: a bad token gets 401 on every transport, the good one still works', async () => {
    const valid = await token('ann');
    const expired = await token('ann', Math.floor(Date.now() / 1000) - 60);
    const foreign = await token('ann', '1h', 'another-secret-of-sufficient-length-for-hs256');
    for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const) {
      const negotiated = await fetch(`${secure}/negotiate?negotiateVersion=1`, { method: 'POST', headers: bearer(valid) });
      const { connectionToken } = (await negotiated.json()) as { connectionToken: string };
      const url = `${secure}?id=${connectionToken}`;
      for (const bad of [undefined, expired, foreign]) {
        const headers = bad === undefined ? {} : bearer(bad);
        if (transport === 'WebSockets') {
          assert.deepEqual(await refusedUpgrade(url, headers), { status: 401, text: '' });
          assert.deepEqual(await refusedUpgrade(secure, headers), { status: 401, text: '' }, 'skipNegotiation');
        }
        if (transport === 'ServerSentEvents') assert.deepEqual(await request(url, { headers: { ...headers, ...eventStream } }), { status: 401, text: '' });
        if (transport === 'LongPolling') assert.deepEqual(await request(url, { headers }), { status: 401, text: '' });
      }
      // The refused requests did not disturb the negotiated connection: the right user starts it.
      const client = await startNegotiated(url, transport, valid);
      try {
        assert.deepEqual(await client.handshake(), {});
        if (transport !== 'WebSockets') {
          assert.deepEqual(await request(url, { method: 'POST', headers: bearer(expired), body: '{"type":1,"invocationId":"x","target":"whoAmI","arguments":[]}\x1e' }), {
            status: 401,
            text: '',
          });
        }
        assert.deepEqual(await client.invoke('1', 'whoAmI'), { type: 3, invocationId: '1', result: 'ann' });
        assert.deepEqual(client.output.messages.map((m) => m['invocationId']), ['1'], 'the refused POST was not delivered');
      } finally {
        await client.connection.close();
      }
    }
    await assertEveryoneServed('after refused transport requests');
  });

  test('a token that expires mid-connection: the next poll and send get 401', async () => {
    // Three seconds of validity: enough to connect on a loaded machine; JWT expiry has whole seconds.
    const expiresAt = Math.floor(Date.now() / 1000) + 3;
    const shortLived = await token('brief', expiresAt);
    const client = await RawHubClient.open(shortPolls, 'LongPolling', 'json', { accessToken: shortLived });
    try {
      await client.handshake();
      assert.deepEqual(await client.invoke('1', 'whoAmI'), { type: 3, invocationId: '1', result: 'brief' });
      // Every poll authenticates again (the short poll timeout keeps them coming): after the expiry one is refused.
      const end = await withTimeout(client.connection.ended, 'a poll refused after the expiry', 20_000);
      assert.deepEqual(end, { transport: 'LongPolling', status: 401 });
      assert.ok(Date.now() >= expiresAt * 1000, 'refused only once expired');
      assert.equal(await client.connection.send('{"type":6}\x1e'), 401);
    } finally {
      await client.connection.close();
    }
    await assertEveryoneServed('after an expired token');
  });
});

/** Starts the transport of a connection negotiated with `url`'s token. */
async function startNegotiated(url: string, transport: TransportKind, jwt: string): Promise<RawHubClient> {
  const parsed = new URL(url);
  const hubUrl = `${parsed.origin}${parsed.pathname}`;
  return new RawHubClient(await RawConnection.openNegotiated(hubUrl, parsed.searchParams.get('id')!, transport, { accessToken: jwt }), 'json');
}

async function waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
