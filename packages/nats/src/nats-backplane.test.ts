import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runBackplaneSuite } from '@switchyard/server/test-support/backplane-suite';
import { createNatsBackplane, NatsBackplaneErrorCode, natsSubject, subjectToken } from './index.js';
import { isListening } from '@switchyard/server/test-support/broker-check';

test('names subjects with the Redis scheme’s words, one escaped token per name', () => {
  const hub = 'ChatHub';
  assert.equal(natsSubject({ kind: 'all', hub }), 'switchyard.ChatHub.all');
  assert.equal(natsSubject({ kind: 'group', hub, group: 'a.b *>' }, 'app.prod'), 'app.prod.ChatHub.group.a%2Eb%20%2A%3E');
  assert.equal(natsSubject({ kind: 'user', hub, userId: 'ahmet' }), 'switchyard.ChatHub.user.ahmet');
  assert.equal(natsSubject({ kind: 'connection', hub, connectionId: 'x-1' }), 'switchyard.ChatHub.connection.x-1');
  assert.equal(natsSubject({ kind: 'groupCommands', hub }), 'switchyard.ChatHub.internal.groups');
  assert.equal(natsSubject({ kind: 'ack', hub, serverId: 'web.1_ab' }), 'switchyard.ChatHub.internal.ack.web%2E1_ab');
  assert.equal(natsSubject({ kind: 'return', hub, serverId: 'w' }), 'switchyard.ChatHub.internal.return.w');
  assert.equal(subjectToken(''), '%');
  assert.equal(subjectToken('100%'), '100%25');
  assert.equal(subjectToken('~x'), '%7Ex');
  assert.equal(subjectToken('çay'), '%C3%A7ay');
  assert.match(subjectToken('g'.repeat(201)), /^~[A-Za-z0-9_-]{43}$/);
});

test('escapes every name into one valid token, and different names into different tokens', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 250 }), fc.string({ unit: 'binary', maxLength: 250 }), (a, b) => {
      const [ta, tb] = [subjectToken(a), subjectToken(b)];
      for (const token of [ta, tb]) {
        assert.match(token, /^[!-)+-\-/-=?-~]+$/, JSON.stringify(token));
        assert.ok(token.length <= 201);
      }
      if (a !== b) assert.notEqual(ta, tb);
    }),
    { numRuns: 500 },
  );
});

test('fails fast and clearly when NATS cannot be reached, and on a bad prefix', async () => {
  await assert.rejects(createNatsBackplane({ servers: 'nats://127.0.0.1:1', connectTimeoutMs: 500 }), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, NatsBackplaneErrorCode.Unreachable);
    assert.match((error as Error).message, /^NATS is not reachable at nats:\/\/127\.0\.0\.1:1: /);
    return true;
  });
  await assert.rejects(createNatsBackplane({ subjectPrefix: 'a.*' }), (error: unknown) => (error as { code?: unknown }).code === NatsBackplaneErrorCode.InvalidOption);
});

const NATS_PORT = 4222;
if (await isListening(NATS_PORT)) {
  runBackplaneSuite('NATS', () => createNatsBackplane({ servers: `nats://127.0.0.1:${NATS_PORT}` }));
} else {
  test('NATS backplane suite', () => {
    throw new Error(`NATS is not reachable at 127.0.0.1:${NATS_PORT}: start it with \`nats-server -js\``);
  });
}
