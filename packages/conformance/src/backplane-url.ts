import type { Backplane, Logger } from '@switchyard/server';
import { createNatsBackplane } from '@switchyard/nats';
import { createRedisBackplane } from '@switchyard/redis';

/**
 * The backplane a `--backplane` URL names: `redis://` or `rediss://` (one Redis server),
 * `redis-cluster://host:port,host:port` (a Redis Cluster, sharded pub/sub), `nats://` (NATS).
 * `prefix` keeps sites sharing one broker apart (Redis channel prefix, NATS subject prefix).
 * @throws Error for another scheme; the backplane's own error when its broker is unreachable.
 */
export async function createBackplane(url: string, logger?: Logger, prefix?: string): Promise<Backplane> {
  const scheme = url.slice(0, url.indexOf('://') + 3).toLowerCase();
  switch (scheme) {
    case 'redis://':
    case 'rediss://':
      return createRedisBackplane({ url, logger, channelPrefix: prefix === undefined ? '' : `${prefix}:` });
    case 'redis-cluster://':
      return createRedisBackplane({
        clusterNodes: url.slice(scheme.length).split(',').map((node) => `redis://${node}`),
        logger,
        channelPrefix: prefix === undefined ? '' : `${prefix}:`,
      });
    case 'nats://':
      return createNatsBackplane({ servers: url, logger, ...(prefix === undefined ? {} : { subjectPrefix: prefix }) });
    default:
      throw new Error(`--backplane must be a redis://, rediss://, redis-cluster:// or nats:// URL, got '${url}'`);
  }
}
