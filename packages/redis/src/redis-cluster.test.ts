/**
 * The shared backplane suite against a real three-node Redis Cluster (sharded pub/sub), started on
 * free local ports for this file and stopped after it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runBackplaneSuite } from '@switchyard/server/test-support/backplane-suite';
import { createRedisBackplane, redisChannelName } from './index.js';
import { RedisServers } from './test-support/redis-servers.js';

const run = promisify(execFile);

/** What `PUBSUB <subcommand>` lists on one node. */
async function pubsub(url: string, subcommand: 'CHANNELS' | 'SHARDCHANNELS'): Promise<string[]> {
  const port = new URL(url).port;
  const { stdout } = await run('redis-cli', ['-p', port, 'PUBSUB', subcommand]);
  return stdout.split('\n').filter((line) => line !== '');
}

const servers = new RedisServers();
after(() => servers.stopAll());

let clusterNodes: string[] | undefined;
let failure: unknown;
try {
  clusterNodes = (await servers.startCluster(3)).map((node) => node.url);
} catch (error) {
  failure = error;
}

if (clusterNodes !== undefined) {
  const nodes = clusterNodes;
  runBackplaneSuite('Redis Cluster (sharded pub/sub)', () => createRedisBackplane({ clusterNodes: nodes }));

  test('subscribes each channel on the one shard owning it, with sharded pub/sub only', async () => {
    const backplane = await createRedisBackplane({ clusterNodes: nodes });
    try {
      const channels = ['alpha', 'beta', 'gamma', 'delta'].map((group) => ({ kind: 'group' as const, hub: 'ShardHub', group }));
      const unsubscribes = await Promise.all(channels.map((channel) => backplane.subscribe(channel, () => {})));
      for (const channel of channels) {
        const name = redisChannelName(channel);
        const holders = await Promise.all(nodes.map(async (node) => (await pubsub(node, 'SHARDCHANNELS')).includes(name)));
        assert.equal(holders.filter(Boolean).length, 1, `${name} is subscribed on exactly one shard`);
      }
      for (const node of nodes) assert.deepEqual(await pubsub(node, 'CHANNELS'), [], 'no classic (cluster-wide) subscription');
      await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe()));
    } finally {
      await backplane.close();
    }
  });
} else {
  test('Redis Cluster backplane suite', () => {
    throw new Error(`could not start a local Redis Cluster with redis-server and redis-cli: ${failure instanceof Error ? failure.message : String(failure)}`);
  });
}
