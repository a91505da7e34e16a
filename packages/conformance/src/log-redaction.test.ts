/**
 * No token reaches the logs: the conformance server logs at debug level (every request, every hub
 * connection with its request) into memory while real traffic carries access tokens (query and
 * Authorization header), connection tokens (`id=`) on every transport, and forged tokens; then the
 * captured text must hold none of those values, and must show the redacted forms and the
 * per-connection context.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import WebSocket from 'ws';
import { createLogger } from './logging.js';
import { startConformanceServer } from './index.js';

const RS = '\x1e';

interface Negotiated {
  connectionId: string;
  connectionToken: string;
}

async function negotiate(url: string, init: RequestInit = {}): Promise<Negotiated> {
  const response = await fetch(`${url}/negotiate?negotiateVersion=1`, { method: 'POST', ...init });
  assert.equal(response.status, 200);
  return (await response.json()) as Negotiated;
}

/** A whole raw WebSocket conversation: handshake, one invocation, its completion, close. */
async function webSocketEcho(url: string): Promise<void> {
  const socket = new WebSocket(url);
  const frames: string[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('open', () => socket.send(`{"protocol":"json","version":1}${RS}`));
    socket.on('message', (data: Buffer) => {
      frames.push(data.toString());
      if (frames.length === 1) socket.send(`{"type":1,"invocationId":"1","target":"echo","arguments":["hi"]}${RS}`);
      else socket.close();
    });
    socket.on('close', () => resolve());
  });
  assert.match(frames[1] ?? '', /"result":"hi"/);
}

function officialClient(url: string, transport: signalR.HttpTransportType, token?: string): signalR.HubConnection {
  return new signalR.HubConnectionBuilder()
    .withUrl(url, { transport, ...(token === undefined ? {} : { accessTokenFactory: () => token }) })
    .configureLogging(signalR.LogLevel.None)
    .build();
}

test('no access token or connection token appears in debug logs of real traffic', async () => {
  let captured = '';
  const logger = createLogger('debug', { write: (line: string) => void (captured += line) });
  const server = await startConformanceServer({ port: 0, logger });
  const secrets: string[] = [];
  try {
    const jwt = await (await fetch(`${server.url}/generateJwtToken`)).text();
    secrets.push(jwt);
    const hub = `${server.url}/authorizedhub`;
    const wsHub = hub.replace('http', 'ws');

    // Negotiate with the Authorization header, then a WebSocket with access_token and id= in its query.
    const viaWebSocket = await negotiate(hub, { headers: { Authorization: `Bearer ${jwt}` } });
    secrets.push(viaWebSocket.connectionToken);
    await webSocketEcho(`${wsHub}?id=${viaWebSocket.connectionToken}&access_token=${jwt}`);

    // Long polling by hand: polls, sends and the DELETE all carry id=<connection token>.
    const testHub = `${server.url}/testhub`;
    const polled = await negotiate(testHub);
    secrets.push(polled.connectionToken);
    const at = `${testHub}?id=${polled.connectionToken}`;
    assert.equal((await fetch(at)).status, 200); // the first poll answers at once
    assert.equal((await fetch(at, { method: 'POST', body: `{"protocol":"json","version":1}${RS}` })).status, 200);
    assert.equal(await (await fetch(at)).text(), `{}${RS}`);
    assert.equal((await fetch(at, { method: 'DELETE' })).status, 202);

    // Server-Sent Events by hand: the stream and the send carry id=.
    const streamed = await negotiate(testHub);
    secrets.push(streamed.connectionToken);
    const sse = `${testHub}?id=${streamed.connectionToken}`;
    const abort = new AbortController();
    const stream = await fetch(sse, { headers: { Accept: 'text/event-stream' }, signal: abort.signal });
    assert.equal(stream.status, 200);
    assert.equal((await fetch(sse, { method: 'POST', body: `{"protocol":"json","version":1}${RS}` })).status, 200);
    const reader = stream.body!.getReader();
    let events = '';
    while (!events.includes(`{}${RS}`)) events += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    await reader.cancel().catch(() => {});

    // The official client on each transport with the token (query on WebSockets and SSE, header on LP).
    for (const transport of [signalR.HttpTransportType.WebSockets, signalR.HttpTransportType.ServerSentEvents, signalR.HttpTransportType.LongPolling]) {
      const connection = officialClient(hub, transport, jwt);
      await connection.start();
      assert.equal(await connection.invoke('echo', 'x'), 'x');
      await connection.stop();
    }

    // Bad tokens: refused at negotiate and at the upgrade, in the query and in the header.
    const forged = `${jwt.slice(0, -8)}AAAAAAAA`;
    secrets.push(forged);
    assert.equal((await fetch(`${hub}/negotiate?negotiateVersion=1&access_token=${forged}`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${hub}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { Authorization: `Bearer ${forged}` } })).status, 401);
    await assert.rejects(webSocketEcho(`${wsHub}?access_token=${forged}`));
    await assert.rejects(officialClient(hub, signalR.HttpTransportType.LongPolling, forged).start());
  } finally {
    await server.close();
  }

  for (const secret of secrets) assert.ok(!captured.includes(secret), `a token was logged: ${secret}`);
  // The logs did see that traffic, with the secrets masked and each connection's context on its lines.
  assert.ok(captured.includes('"url":"/authorizedhub?id=[redacted]&access_token=[redacted]"'));
  assert.ok(captured.includes('"authorization":"[redacted]"'));
  const handshakes = captured.split('\n').filter((line) => line.includes('hub handshake completed')).map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(handshakes.length >= 5);
  for (const line of handshakes) {
    assert.equal(typeof line['connectionId'], 'string');
    assert.match(String(line['hub']), /^(AuthorizedHub|TestHub)$/);
    assert.match(String(line['transport']), /^(WebSockets|ServerSentEvents|LongPolling)$/);
  }
});
