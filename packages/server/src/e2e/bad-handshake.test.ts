/**
 * Bad handshakes on real transports (WebSocket frames, POST bodies next to SSE and long polling): the
 * offender gets .NET's `{"error":…}` record and nothing else, then the server ends its transport
 * (WebSocket close 1000, event stream ended, next poll 204), while official clients on every
 * transport × protocol keep working on the same server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bystanders } from '../test-support/bystanders.js';
import { startApp, type TestApp, type TransportKind } from '../test-support/e2e.js';
import { RawConnection, type TransportEnd } from '../test-support/raw-hub-client.js';
import { withTimeout } from '../test-support/test-client.js';
import { E2EHub } from './e2e-hub.js';

const transports: readonly TransportKind[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];

/** How each transport reports that the server ended it cleanly. */
const cleanEnd: Record<TransportKind, TransportEnd> = {
  WebSockets: { transport: 'WebSockets', code: 1000 },
  ServerSentEvents: { transport: 'ServerSentEvents' },
  LongPolling: { transport: 'LongPolling', status: 204 },
};

const badHandshakes: ReadonlyArray<{ name: string; request: string; error: string; transports?: readonly TransportKind[] }> = [
  { name: 'an unknown protocol', request: '{"protocol":"foo","version":1}\x1e', error: "The protocol 'foo' is not supported." },
  {
    name: 'an unsupported version',
    request: '{"protocol":"json","version":3}\x1e',
    error: "The server does not support version 3 of the 'json' protocol.",
  },
  { name: 'malformed JSON', request: '{"protocol":"json","version":}\x1e', error: 'An unexpected error occurred during connection handshake.' },
  { name: 'a missing version', request: '{"protocol":"json"}\x1e', error: 'An unexpected error occurred during connection handshake.' },
  { name: 'an array instead of an object', request: '["json",1]\x1e', error: 'An unexpected error occurred during connection handshake.' },
  {
    // maximumReceiveMessageSize (32 KiB by default) bounds the handshake too, as in .NET.
    name: 'a handshake over the size limit',
    request: `{"protocol":"json","version":1,"padding":"${'x'.repeat(40_000)}"}\x1e`,
    error: 'Handshake was canceled.',
  },
  {
    // Refused before it ends: a client cannot make the server buffer a handshake without end.
    name: 'an unterminated handshake over the size limit',
    request: `{"protocol":"json","version":1,"padding":"${'x'.repeat(40_000)}`,
    error: 'Handshake was canceled.',
  },
  {
    name: 'MessagePack on a text-only transport',
    request: '{"protocol":"messagepack","version":1}\x1e',
    error: "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format.",
    transports: ['ServerSentEvents'],
  },
];

describe('bad handshakes, end to end', () => {
  let server: TestApp;
  let bystanders: Bystanders;
  before(async () => {
    server = await startApp((app) => app.mapHub('/hub', E2EHub));
    bystanders = await Bystanders.start(`${server.baseUrl}/hub`);
  });
  after(async () => {
    await bystanders.stop();
    await server.close();
  });

  for (const transport of transports) {
    for (const bad of badHandshakes) {
      if (bad.transports !== undefined && !bad.transports.includes(transport)) continue;
      test(`${transport}: ${bad.name} is refused with "${bad.error}"`, async () => {
        const offender = await RawConnection.open(`${server.baseUrl}/hub`, transport);
        try {
          const [status] = await Promise.all([offender.send(bad.request), bystanders.assertServing('during')]);
          assert.equal(status, 200, 'the POST itself is accepted: the refusal travels on the receive side');
          assert.deepEqual(await withTimeout(offender.ended, 'the server ending the transport'), cleanEnd[transport]);
          assert.equal(offender.bytes.toString('utf8'), `${JSON.stringify({ error: bad.error })}\x1e`);
          await bystanders.assertServing('after');
        } finally {
          await offender.close();
        }
      });
    }
  }

  test('a handshake that never completes is canceled when the handshake timeout elapses', async () => {
    const slow = await startApp((app) => app.mapHub('/hub', E2EHub, { handshakeTimeoutMs: 200 }));
    try {
      const offender = await RawConnection.open(`${slow.baseUrl}/hub`, 'WebSockets');
      await offender.send('{"protocol":"json",');
      assert.deepEqual(await withTimeout(offender.ended, 'the server ending the transport'), cleanEnd.WebSockets);
      assert.equal(offender.bytes.toString('utf8'), '{"error":"Handshake was canceled."}\x1e');
    } finally {
      await slow.close();
    }
    await bystanders.assertServing('after a timeout elsewhere');
  });
});
