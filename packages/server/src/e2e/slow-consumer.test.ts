/**
 * The slow-consumer policy end to end: one hub client stops reading (a hand-spoken WebSocket whose socket
 * is paused, so the kernel's buffers fill) while official clients receive a stream of broadcasts at full
 * rate. The slow one's outbound buffer hits `maxBufferedBytes`, it is closed with a Close that says why
 * (counted as `slow_consumer`), and the fast ones receive every message, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import type { ConnectionsInstrumentation } from '@switchyard/connections';
import { Hub } from '../hub.js';
import { startApp } from '../test-support/e2e.js';
import { SlowReader } from '../test-support/slow-reader.js';
import { waitUntil, withTimeout } from '../test-support/test-client.js';

class FeedHub extends Hub {}

const BOUND = 256 * 1024;
const PADDING = 'x'.repeat(8000);
/** Messages the producer may be ahead of the slowest fast client: 128 kB, half the bound. */
const WINDOW = 16;

test('a hub client that stops reading is closed with a Close saying why; the others get every broadcast in order', async (t) => {
  const closeReasons: string[] = [];
  let drops = 0;
  let slow: SlowReader | undefined;
  const instrumentation: Partial<ConnectionsInstrumentation> = {
    connectionClosed: (_transport, reason) => closeReasons.push(reason),
    outboundDropped: () => {
      drops++;
      // The server just decided: read again, and the Close (queued behind the backlog) arrives.
      slow?.resume();
    },
  };
  const app = await startApp((yard) => yard.mapHub('/hub', FeedHub, { maxBufferedBytes: BOUND, instrumentation }));
  const fast = Array.from({ length: 3 }, () => ({
    connection: new signalR.HubConnectionBuilder()
      .withUrl(`${app.baseUrl}/hub`, { transport: signalR.HttpTransportType.WebSockets })
      .configureLogging(signalR.LogLevel.None)
      .build(),
    next: 0,
    outOfOrder: 0,
  }));
  try {
    for (const f of fast) {
      f.connection.on('Feed', (seq: number) => {
        if (seq !== f.next) f.outOfOrder++;
        f.next = seq + 1;
      });
      await f.connection.start();
    }
    slow = await SlowReader.open(`${app.baseUrl}/hub`);
    await waitUntil(() => app.app.router.endpoints[0]!.connectionCount === 4, 'four connections');

    // Broadcast as fast as the fast clients take it (at most WINDOW messages ahead of the slowest of them),
    // until the server refused one for the slow client, then 200 more.
    const all = app.app.hubContext(FeedHub).clients.all;
    let sent = 0;
    let afterDrop = -1;
    while (afterDrop < 200) {
      await all.send('Feed', sent++, PADDING);
      if (drops > 0) afterDrop++;
      if (sent % 4 === 0) await waitUntil(() => fast.every((f) => sent - f.next <= WINDOW), 'the fast clients to keep up');
      if (sent > 200_000) throw new Error('the slow consumer was never closed');
    }
    await waitUntil(() => fast.every((f) => f.next === sent), 'every broadcast at the fast clients');
    t.diagnostic(`${sent} broadcasts of ~8 kB; the slow consumer's buffer was full after ${sent - 201}`);
    for (const f of fast) assert.equal(f.outOfOrder, 0);
    await withTimeout(slow.ended, 'the slow socket to end');
    // The slow consumer is the only connection that ended, as one; one payload was refused for it.
    await waitUntil(() => closeReasons.length > 0, 'the slow connection to end on the server');
    assert.deepEqual(closeReasons, ['slow_consumer']);
    assert.equal(drops, 1);
    const frames = slow.frames();
    const closeFrame = frames.at(-1)!;
    assert.equal(closeFrame.opcode, 0x8, 'a WebSocket close frame last');
    assert.equal(closeFrame.payload.readUInt16BE(0), 1011);
    const records = frames.filter((f) => f.opcode === 0x1).flatMap((f) => f.payload.toString().split('\u001e').filter((r) => r !== ''));
    const messages = records.map((r) => JSON.parse(r) as { type: number; arguments?: [number, string]; error?: string; allowReconnect?: boolean });
    const close = messages.at(-1)!;
    assert.equal(close.type, 7, 'the hub Close is the last message');
    assert.equal(close.allowReconnect, true);
    assert.match(close.error!, /^Connection closed with an error\. ConnectionsError: Outbound buffer limit of 262144 bytes exceeded/);
    // What reached the slow client before it is a gap-free prefix of the stream.
    const seqs = messages.filter((m) => m.type === 1).map((m) => m.arguments![0]);
    assert.ok(seqs.length > 0);
    assert.deepEqual(seqs, seqs.map((_, i) => i));
  } finally {
    slow?.destroy();
    await Promise.all(fast.map((f) => f.connection.stop()));
    await app.close();
  }
});
