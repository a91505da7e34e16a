import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBackplaneSuite } from '@switchyard/server/test-support/backplane-suite';
import { createRedisBackplane, RedisBackplaneErrorCode, redisChannelName } from './index.js';
import { isListening } from '@switchyard/server/test-support/broker-check';

test('names channels as ASP.NET Core SignalR’s Redis backplane does', () => {
  const hub = 'MyApp.Hubs.ChatHub';
  assert.equal(redisChannelName({ kind: 'all', hub }), 'MyApp.Hubs.ChatHub:all');
  assert.equal(redisChannelName({ kind: 'group', hub, group: 'a:b c' }), 'MyApp.Hubs.ChatHub:group:a:b c');
  assert.equal(redisChannelName({ kind: 'user', hub, userId: 'ahmet' }), 'MyApp.Hubs.ChatHub:user:ahmet');
  assert.equal(redisChannelName({ kind: 'connection', hub, connectionId: 'x1' }), 'MyApp.Hubs.ChatHub:connection:x1');
  assert.equal(redisChannelName({ kind: 'groupCommands', hub }), 'MyApp.Hubs.ChatHub:internal:groups');
  assert.equal(redisChannelName({ kind: 'ack', hub, serverId: 'web1_abc' }), 'MyApp.Hubs.ChatHub:internal:ack:web1_abc');
  assert.equal(redisChannelName({ kind: 'return', hub, serverId: 'web1_abc' }), 'MyApp.Hubs.ChatHub:internal:return:web1_abc');
  assert.equal(redisChannelName({ kind: 'all', hub }, 'MyApp'), 'MyAppMyApp.Hubs.ChatHub:all');
});

test('fails fast and clearly when Redis cannot be reached, and on contradictory options', async () => {
  await assert.rejects(createRedisBackplane({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300 }), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, RedisBackplaneErrorCode.Unreachable);
    assert.match((error as Error).message, /^Redis is not reachable at redis:\/\/127\.0\.0\.1:1: /);
    return true;
  });
  await assert.rejects(createRedisBackplane({ url: 'redis://x', clusterNodes: ['redis://y'] }), (error: unknown) => {
    assert.equal((error as { code?: unknown }).code, RedisBackplaneErrorCode.InvalidOption);
    return true;
  });
});

const REDIS_PORT = 6379;
if (await isListening(REDIS_PORT)) {
  runBackplaneSuite('Redis', () => createRedisBackplane({ url: `redis://127.0.0.1:${REDIS_PORT}` }));
} else {
  test('Redis backplane suite', () => {
    throw new Error(`Redis is not reachable at 127.0.0.1:${REDIS_PORT}: start it with \`redis-server --daemonize yes\``);
  });
}
