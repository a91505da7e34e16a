import { test } from 'node:test';
import assert from 'node:assert/strict';
import { c100kDefaults, runC100k } from '../scenarios/c100k.js';

// The whole c100k pipeline at a small scale: real server processes on the real Redis, load processes
// bound to 127.0.0.2 and 127.0.0.3, official clients, a broadcast, the teardown.
test('c100k in small: every connection opens, receives the broadcast exactly once, and every process exits 0', { timeout: 120_000 }, async () => {
  const notes: string[] = [];
  const results = await runC100k(
    { ...c100kDefaults, connections: 300, servers: 2, loaders: 2, addresses: 2, official: 2, broadcasts: 1, idleSeconds: 1 },
    { step: () => {}, advance: () => {}, note: (line) => notes.push(line) },
  );
  assert.equal(results.ramp.open, 300, notes.join('\n'));
  assert.equal(results.ramp.failed, 0);
  assert.deepEqual(results.ramp.plan.perServer, [150, 150]);
  assert.equal(results.serversHeld, 302);
  const [broadcast] = results.broadcasts;
  assert.equal(broadcast?.receivedLight, 300);
  assert.equal(broadcast?.receivedOfficial, 2);
  assert.equal(broadcast?.duplicates, 0);
  assert.equal(broadcast?.exact, true);
  assert.equal(results.officialStillConnected, true);
  assert.equal(results.teardown.closedClean, 300);
  assert.equal(results.teardown.serverConnectionsLeft, 0);
  assert.deepEqual(results.teardown.loaderExitCodes, [0, 0]);
  assert.deepEqual(results.teardown.serverExitCodes, [0, 0]);
});
