import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClientOptions } from 'redis';
import { BackplaneUnavailableError, silentLogger, type Backplane, type Channel, type Logger, type Unsubscribe } from '@switchyard/server';
import { redisChannelName } from './channel-names.js';
import { clusterLink, standaloneLink, type LinkEvents, type Listener, type RedisLink } from './redis-links.js';

export interface RedisBackplaneOptions {
  /** The Redis server (`redis://`, `rediss://` for TLS; credentials in the URL). @default 'redis://127.0.0.1:6379' */
  url?: string;
  /**
   * A Redis Cluster (Redis ≥ 7) instead of one server, found from some of its nodes' URLs: sharded pub/sub
   * keeps each channel's traffic on the shard owning it. Not with `url`. @default undefined (one server)
   */
  clusterNodes?: readonly string[];
  /** Prepended to every channel name, as StackExchange.Redis's ChannelPrefix: apps sharing a Redis. @default '' */
  channelPrefix?: string;
  /** This server's id (its ack and return channels). @default `${hostname}_${uuid without dashes}`, as .NET */
  serverId?: string;
  /** Where connection losses and recoveries are logged (one line each per outage). @default silentLogger */
  logger?: Logger;
  /** More node-redis client options (TLS, credentials, `socket.reconnectStrategy`, …). @default {} */
  clientOptions?: RedisClientOptions;
  /** How long {@link createRedisBackplane} waits for the first connection. @default 10_000 (ms) */
  connectTimeoutMs?: number;
}

/** Wait before asking again for a subscription Redis dropped while it was being made. */
const RESUBSCRIBE_DELAY_MS = 1_000;

export const RedisBackplaneErrorCode = {
  /** No connection to Redis within `connectTimeoutMs` when the backplane was created. */
  Unreachable: 'ERR_REDIS_UNREACHABLE',
  /** Options that contradict each other (`url` with `clusterNodes`, an empty `clusterNodes`). */
  InvalidOption: 'ERR_REDIS_INVALID_OPTION',
} as const;
export type RedisBackplaneErrorCode = (typeof RedisBackplaneErrorCode)[keyof typeof RedisBackplaneErrorCode];

/** Thrown by {@link createRedisBackplane}. */
export class RedisBackplaneError extends Error {
  override readonly name = 'RedisBackplaneError';
  readonly code: RedisBackplaneErrorCode;

  constructor(code: RedisBackplaneErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

type Subscription = { readonly name: string; readonly listener: Listener; active: boolean };

/**
 * Connects to Redis and resolves with a backplane for `new Switchyard({ backplane })`.
 * @throws RedisBackplaneError `ERR_REDIS_UNREACHABLE` when no connection is made within `connectTimeoutMs`,
 *   `ERR_REDIS_INVALID_OPTION` for contradictory options.
 * @example
 * const backplane = await createRedisBackplane({ url: 'redis://redis:6379' });
 * const app = new Switchyard({ backplane });
 * // on shutdown: await app.close(); await backplane.close();
 */
export async function createRedisBackplane(options: RedisBackplaneOptions = {}): Promise<RedisBackplane> {
  if (options.clusterNodes !== undefined && (options.url !== undefined || options.clusterNodes.length === 0)) {
    throw new RedisBackplaneError(RedisBackplaneErrorCode.InvalidOption, 'Give either url or a non-empty clusterNodes, not both.');
  }
  const logger = options.logger ?? silentLogger;
  const events = outageLog(logger, options.clusterNodes === undefined ? 'Redis' : 'Redis Cluster');
  const url = options.url ?? 'redis://127.0.0.1:6379';
  const link =
    options.clusterNodes === undefined
      ? standaloneLink(url, options.clientOptions ?? {}, events)
      : clusterLink(options.clusterNodes, options.clientOptions ?? {}, events);
  const where = options.clusterNodes?.join(', ') ?? url;
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      link.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    link.destroy();
    throw new RedisBackplaneError(RedisBackplaneErrorCode.Unreachable, `Redis is not reachable at ${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return new RedisBackplane(link, options);
}

/** A {@link Backplane} on Redis pub/sub. Make one with {@link createRedisBackplane}. */
export class RedisBackplane implements Backplane {
  readonly serverId: string;
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  /** @internal use {@link createRedisBackplane} */
  constructor(link: RedisLink, options: RedisBackplaneOptions) {
    this.#link = link;
    this.#prefix = options.channelPrefix ?? '';
    this.serverId = options.serverId ?? `${hostname()}_${randomUUID().replaceAll('-', '')}`;
  }

  async publish(channel: Channel, payload: Uint8Array): Promise<void> {
    if (this.#closed) throw new BackplaneUnavailableError('The Redis backplane is closed.');
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    try {
      await this.#link.publish(redisChannelName(channel, this.#prefix), bytes);
    } catch (error) {
      throw new BackplaneUnavailableError(`Redis did not take the message: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  async subscribe(channel: Channel, onPayload: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    if (this.#closed) throw new BackplaneUnavailableError('The Redis backplane is closed.');
    // A listener per subscription: node-redis keeps listeners apart, so each unsubscribes alone.
    const subscription: Subscription = { name: redisChannelName(channel, this.#prefix), listener: (message) => onPayload(message), active: true };
    this.#subscriptions.add(subscription);
    const made = this.#subscribe(subscription);
    // During an outage the subscription waits in node-redis's queue: do not hold the caller meanwhile.
    if (this.#link.ready) await made;
    return () => this.#unsubscribe(subscription);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const subscription of this.#subscriptions) subscription.active = false;
    this.#subscriptions.clear();
    this.#link.destroy();
    return Promise.resolve();
  }

  /**
   * Resolves after the first attempt. node-redis restores confirmed subscriptions after a reconnect,
   * but one whose SUBSCRIBE was in flight when the connection dropped is forgotten: ask again.
   */
  async #subscribe(subscription: Subscription): Promise<void> {
    try {
      await this.#link.subscribe(subscription.name, subscription.listener);
    } catch {
      if (!subscription.active || this.#closed) return;
      setTimeout(() => void this.#subscribe(subscription), RESUBSCRIBE_DELAY_MS).unref();
      return;
    }
    // Unsubscribed while the broker confirmed: undo.
    if (!subscription.active && !this.#closed) await this.#link.unsubscribe(subscription.name, subscription.listener).catch(() => {});
  }

  async #unsubscribe(subscription: Subscription): Promise<void> {
    if (!subscription.active) return;
    subscription.active = false;
    this.#subscriptions.delete(subscription);
    if (this.#closed) return;
    const done = this.#link.unsubscribe(subscription.name, subscription.listener).catch(() => {
      // Gone with the connection: Redis drops a connection's subscriptions with it.
    });
    if (this.#link.ready) await done;
  }
}

/** Logs the first error of an outage and its end, and nothing in between but debug lines. */
function outageLog(logger: Logger, what: string): LinkEvents {
  let down = false;
  return {
    lost(error) {
      if (down) return logger.debug({ err: error }, `${what} still unreachable`);
      down = true;
      logger.error({ err: error }, `${what} connection lost: cross-server messages are lost until it is back; reconnecting`);
    },
    restored() {
      if (down) logger.info(`${what} connection restored; subscriptions are being restored`);
      down = false;
    },
  };
}
