/**
 * Hostile HTTP against a running hub server: thousands of random and mutated negotiate requests,
 * POST bodies to Server-Sent Events and long-polling connections, and polls with wrong, unknown,
 * stale and concurrent ids, written as raw bytes over TCP. After every batch: no uncaught error in
 * the process, no 5xx answer; at the end of each test only the bystanders (official clients on every
 * transport, echoing throughout) are left on the server. Seeded: a failure prints the seed and the
 * path (`FUZZ_SEED=<seed>` replays the run; `FUZZ_SCALE=<n>` runs n times as many cases, with n times
 * the time limit).
 */
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { body as randomBody, encodeHttpCase, framing, httpCase, type BodyFraming } from '../test-support/fuzz-http.js';
import { assertNotServerError, fuzzRuns, fuzzSeed, negotiateToken, rawExchange, startFuzzTarget, type FuzzTarget } from '../test-support/fuzz-target.js';
import { RawConnection } from '../test-support/raw-hub-client.js';
import { messagePayload } from '../test-support/ws-frames.js';

const BATCH = 12;
const seed = fuzzSeed();

/** Runs batches of `cases` with the shared seed; after each, no uncaught error and no bystander failure. */
async function fuzz<T>(target: FuzzTarget, cases: fc.Arbitrary<T>, runs: number, run: (value: T) => Promise<void>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(cases, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      await Promise.all(batch.map(run));
      target.assertNoUncaughtErrors();
    }),
    { seed, numRuns: fuzzRuns(runs), endOnFailure: true },
  );
}

/** Hub-protocol-shaped garbage for the POST half of SSE and long polling. */
const hubBody = fc.oneof(
  randomBody,
  fc.constant(new TextEncoder().encode('{"protocol":"json","ver')),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.concat([Buffer.from('{"protocol":"json","version":1}\x1e'), bytes])),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.concat([Buffer.from('{"protocol":"messagepack","version":1}\x1e'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), bytes])),
  fc.jsonValue().map((value) => Buffer.from(`${JSON.stringify({ protocol: value, version: value })}\x1e`)),
  fc.jsonValue().map((value) => Buffer.from(`{"protocol":"json","version":1}\x1e${JSON.stringify({ type: 1, target: 'echo', arguments: [value], invocationId: '1' })}\x1e${JSON.stringify(value)}\x1e`)),
  fc.integer({ min: 1, max: 5000 }).map((n) => Buffer.from('\x1e'.repeat(n))),
  fc
    .tuple(fc.constantFrom('{"protocol":"json","version":1}\x1e', '{"protocol":"messagepack","version":1}\x1e'), fc.array(messagePayload, { maxLength: 4 }))
    .map(([handshake, messages]) => Buffer.concat([Buffer.from(handshake), ...messages])),
  fc.constant(Buffer.from(`{"protocol":"json","version":1}\x1e{"type":1,"target":"echo","arguments":["${'x'.repeat(40_000)}"]}\x1e`)),
);

describe('hostile HTTP, fuzzed', { timeout: fuzzRuns(120_000) }, () => {
  let target: FuzzTarget;
  before(async () => {
    target = await startFuzzTarget();
  });
  after(() => target.close());

  test('negotiate: random methods, query strings, negotiateVersion values, headers and bodies', async () => {
    const paths = fc.constantFrom('/hub/negotiate', '/hub/negotiate/', '/HUB/Negotiate', '/hub//negotiate', '/hub/negotiate/x', '/hub/negotiate?', '/hub/negotiate%00');
    await fuzz(target, httpCase(paths), 40, async (request) => {
      const reply = await rawExchange(target.port, encodeHttpCase(request));
      assertNotServerError(reply.status, `${request.method} ${request.target}`);
    });
    await target.assertOnlyBystandersLeft(`after negotiate fuzzing (seed ${seed})`);
  });

  test('POST bodies to Server-Sent Events and long-polling connections: random bytes, partial records, huge declared lengths', async () => {
    const sendCase = fc.record({
      transport: fc.constantFrom<'ServerSentEvents' | 'LongPolling'>('ServerSentEvents', 'LongPolling'),
      bodies: fc.array(fc.tuple(hubBody, framing, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 3 }),
      concurrent: fc.boolean(),
      contentType: fc.constantFrom('text/plain', 'application/octet-stream', 'application/json', ''),
    });
    await fuzz(target, sendCase, 18, async ({ transport, bodies, concurrent, contentType }) => {
      const connection = await RawConnection.open(target.hubUrl, transport);
      try {
        const post = async ([bytes, how, pieces]: readonly [Uint8Array, BodyFraming, number]): Promise<void> => {
          const path = new URL(connection.url).pathname + new URL(connection.url).search;
          const headers: [string, string][] = contentType === '' ? [] : [['content-type', contentType]];
          const reply = await rawExchange(target.port, encodeHttpCase({ method: 'POST', target: path, headers, body: bytes, framing: how, pieces, keepAlive: false }));
          assertNotServerError(reply.status, `POST to ${transport}`);
        };
        if (concurrent) await Promise.all(bodies.map(post));
        else for (const entry of bodies) await post(entry);
      } finally {
        await connection.close();
      }
    });
    await target.assertOnlyBystandersLeft(`after POST fuzzing (seed ${seed})`);
  });

  test('polls with wrong, unknown and stale ids, concurrent polls, DELETE races', async () => {
    const pollCase = fc.record({
      scenario: fc.constantFrom('unknown', 'stale', 'concurrent', 'wrong-transport', 'after-delete', 'negotiated-only'),
      polls: fc.integer({ min: 1, max: 5 }),
      method: fc.constantFrom('GET', 'GET', 'DELETE', 'POST'),
      accept: fc.constantFrom('', 'text/event-stream', '*/*'),
      garbageId: fc.oneof(fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.constantFrom('', '%', '%zz', 'a&id=b', '..%2F..')),
    });
    await fuzz(target, pollCase, 22, async ({ scenario, polls, method, accept, garbageId }) => {
      let id = garbageId;
      let cleanup = async (): Promise<void> => {};
      if (scenario === 'stale' || scenario === 'after-delete') {
        const connection = await RawConnection.open(target.hubUrl, 'LongPolling');
        id = new URL(connection.url).searchParams.get('id')!;
        if (scenario === 'stale') await connection.close();
        else await fetch(connection.url, { method: 'DELETE' }).then((r) => r.arrayBuffer());
        cleanup = () => connection.close();
      } else if (scenario === 'concurrent' || scenario === 'negotiated-only') {
        id = await negotiateToken(target.hubUrl);
        cleanup = () => fetch(`${target.hubUrl}?id=${id}`, { method: 'DELETE' }).then((r) => void r.arrayBuffer());
      } else if (scenario === 'wrong-transport') {
        const connection = await RawConnection.open(target.hubUrl, 'ServerSentEvents');
        id = new URL(connection.url).searchParams.get('id')!;
        cleanup = () => connection.close();
      }
      if (scenario !== 'negotiated-only') id = encodeURIComponent(id);
      const headers: [string, string][] = accept === '' ? [] : [['accept', accept]];
      const request = encodeHttpCase({ method, target: `/hub?id=${id}`, headers, body: new Uint8Array(0), framing: 'length', pieces: 1, keepAlive: false });
      try {
        const replies = await Promise.all(Array.from({ length: scenario === 'concurrent' ? polls + 1 : polls }, () => rawExchange(target.port, request)));
        for (const reply of replies) assertNotServerError(reply.status, `${scenario} ${method}`);
      } finally {
        await cleanup();
      }
    });
    await target.assertOnlyBystandersLeft(`after poll fuzzing (seed ${seed})`);
  });
});
