/**
 * Hostile WebSocket traffic at the raw level: hand-built upgrade requests and frames over `net`
 * sockets, thousands of seeded cases (fragmentation gone wrong, lying lengths, invalid UTF-8, bad
 * opcodes, unmasked frames, oversized control frames, bad close codes, random handshakes and binary
 * garbage), on new, negotiated and resumed (stateful reconnect) connections. After every batch: no
 * uncaught error in the process; at the end only the official-client bystanders are left, each still
 * echoing. A failure prints the seed and path (`FUZZ_SEED=<seed>` replays the run; `FUZZ_SCALE=<n>`
 * runs n times as many cases, with n times the time limit).
 */
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { assertNotServerError, fuzzRuns, fuzzSeed, negotiateToken, rawExchange, startFuzzTarget, type FuzzTarget, type RawReply } from '../test-support/fuzz-target.js';
import { RawConnection } from '../test-support/raw-hub-client.js';
import { dataFrame, encodeSteps, frameSteps, upgradeMutation, upgradeRequest } from '../test-support/ws-frames.js';

const BATCH = 12;
const seed = fuzzSeed();

/**
 * How the hostile socket reaches a connection: none (skipNegotiation), a negotiated one, one that may
 * resume (stateful), one resumed after its socket vanished, twice at once on one id, or with the id of
 * a Server-Sent Events connection.
 */
type Entry = 'skip-negotiation' | 'negotiated' | 'stateful' | 'resume' | 'twice' | 'other-transport';

describe('hostile WebSocket frames, fuzzed', { timeout: fuzzRuns(120_000) }, () => {
  let target: FuzzTarget;
  before(async () => {
    target = await startFuzzTarget();
  });
  after(() => target.close());

  test('raw upgrades and frames: no crash, no leaked connection, bystanders unaffected', async () => {
    const wsCase = fc.record({
      entry: fc.constantFrom<Entry>('skip-negotiation', 'negotiated', 'stateful', 'resume', 'twice', 'other-transport'),
      upgrade: upgradeMutation,
      /** A valid hub handshake first, so that what follows also reaches the hub protocol's parsers. */
      prelude: fc.constantFrom('', '{"protocol":"json","version":1}\x1e', '{"protocol":"messagepack","version":1}\x1e', '{"protocol":"json","version":2}\x1e'),
      steps: fc.array(frameSteps, { minLength: 1, maxLength: 5 }),
      /** Write frame by frame with pauses (partial reads on the server), or all at once. */
      paced: fc.boolean(),
      endAfterWrite: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(wsCase, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        await Promise.all(
          batch.map(async ({ entry, upgrade, prelude, steps, paced, endAfterWrite }) => {
            const sse = entry === 'other-transport' ? await RawConnection.open(target.hubUrl, 'ServerSentEvents') : undefined;
            const token = entry === 'skip-negotiation' ? undefined : sse !== undefined ? new URL(sse.url).searchParams.get('id')! : await negotiateToken(target.hubUrl, entry !== 'negotiated');
            const path = token === undefined ? '/hub' : `/hub?id=${encodeURIComponent(token)}`;
            if (entry === 'resume') {
              // A resumable connection whose socket vanished, then hostile frames on the resumed one.
              const first = await rawExchange(target.port, [upgradeRequest(path), ...encodeSteps([dataFrame(1, '{"protocol":"json","version":2}\x1e')])]);
              assertNotServerError(first.status, 'stateful upgrade');
            }
            const chunks = [upgradeRequest(path, upgrade), ...encodeSteps([...(prelude === '' ? [] : [dataFrame(1, prelude)]), ...steps.flat()])];
            const exchange = (): Promise<RawReply> => rawExchange(target.port, paced ? chunks : [Buffer.concat(chunks)], { gapMs: paced ? 2 : 0, endAfterWrite });
            const replies = await Promise.all(entry === 'twice' ? [exchange(), exchange()] : [exchange()]);
            for (const reply of replies) assertNotServerError(reply.status, `upgrade ${entry}`);
            await sse?.close();
          }),
        );
        target.assertNoUncaughtErrors();
      }),
      { seed, numRuns: fuzzRuns(80), endOnFailure: true },
    );
    await target.assertOnlyBystandersLeft(`after WebSocket fuzzing (seed ${seed})`);
  });
});
