import type { Backplane, Logger } from '@switchyard/server';
import { createNatsBackplane } from '@switchyard/nats';
import { createRedisBackplane } from '@switchyard/redis';

/**
 * The backplane `SWITCHYARD_BACKPLANE` names: `redis://…`/`rediss://…` or `nats://…`, as the
 * conformance server's `--backplane`. `prefix` keeps demos sharing one broker apart.
 * @throws Error for another scheme; the backplane's own error when its broker is unreachable.
 */
export async function createBackplane(url: string, prefix: string | undefined, logger?: Logger): Promise<{ backplane: Backplane; kind: string }> {
  const scheme = url.slice(0, url.indexOf('://') + 3).toLowerCase();
  switch (scheme) {
    case 'redis://':
    case 'rediss://':
      return { kind: 'redis', backplane: await createRedisBackplane({ url, logger, channelPrefix: prefix === undefined ? '' : `${prefix}:` }) };
    case 'nats://':
      return { kind: 'nats', backplane: await createNatsBackplane({ servers: url, logger, ...(prefix === undefined ? {} : { subjectPrefix: prefix }) }) };
    default:
      throw new Error(`SWITCHYARD_BACKPLANE must be a redis://, rediss:// or nats:// URL, got '${url}'`);
  }
}
