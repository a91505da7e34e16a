import type { Backplane, Logger } from '@switchyard/server';
import { createNatsBackplane } from '@switchyard/nats';
import { createRedisBackplane } from '@switchyard/redis';

/** The broker a backplane URL names, for display (the demo's monitor view shows it). */
export type BackplaneKind = 'redis' | 'nats';

const kinds: Readonly<Record<string, BackplaneKind>> = {
  'redis://': 'redis',
  'rediss://': 'redis',
  'redis-cluster://': 'redis',
  'nats://': 'nats',
};

function schemeOf(url: string): string {
  return url.slice(0, url.indexOf('://') + 3).toLowerCase();
}

/** @throws Error for a URL whose scheme names no backplane. */
export function backplaneKind(url: string): BackplaneKind {
  const kind = kinds[schemeOf(url)];
  if (kind === undefined) throw new Error(`a backplane URL must be redis://, rediss://, redis-cluster:// or nats://, got '${url}'`);
  return kind;
}

/**
 * The backplane a URL names (the conformance server's `--backplane`, the demo's
 * `SWITCHYARD_BACKPLANE`, the bench servers' `--backplane`): `redis://` or `rediss://` (one Redis
 * server), `redis-cluster://host:port,host:port` (a Redis Cluster, sharded pub/sub), `nats://` (NATS).
 * `prefix` keeps sites sharing one broker apart (Redis channel prefix, NATS subject prefix).
 * @throws Error for another scheme; the backplane's own error when its broker is unreachable.
 */
export async function createBackplane(url: string, logger?: Logger, prefix?: string): Promise<Backplane> {
  const scheme = schemeOf(url);
  const channelPrefix = prefix === undefined ? '' : `${prefix}:`;
  if (backplaneKind(url) === 'nats') return createNatsBackplane({ servers: url, logger, ...(prefix === undefined ? {} : { subjectPrefix: prefix }) });
  if (scheme === 'redis-cluster://') {
    return createRedisBackplane({ clusterNodes: url.slice(scheme.length).split(',').map((node) => `redis://${node}`), logger, channelPrefix });
  }
  return createRedisBackplane({ url, logger, channelPrefix });
}
