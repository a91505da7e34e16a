/**
 * The two ways the backplane talks to Redis through node-redis: one server (PUBLISH / SUBSCRIBE on a
 * publisher and a subscriber connection) or a Redis Cluster (SPUBLISH / SSUBSCRIBE, sharded pub/sub:
 * each channel lives on the shard owning its hash slot, so a group's traffic only crosses that shard).
 */
import { createClient, createCluster, type RedisClientOptions } from 'redis';

export type Listener = (message: Buffer) => void;

/** What the backplane needs from node-redis, whichever topology. */
export interface RedisLink {
  /** True while commands can reach Redis now (no offline queue involved). */
  readonly ready: boolean;
  connect(): Promise<void>;
  publish(name: string, payload: Buffer): Promise<unknown>;
  subscribe(name: string, listener: Listener): Promise<void>;
  unsubscribe(name: string, listener: Listener): Promise<void>;
  /** Closes at once; pending commands fail. */
  destroy(): void;
}

/** Connection events, for logging an outage once and its end once. */
export interface LinkEvents {
  lost(error: unknown): void;
  restored(): void;
}

/**
 * One Redis server. Publishes go through a connection without an offline queue, so a publish during
 * an outage fails at once instead of waiting in memory; subscriptions go through their own
 * connection (a subscribed RESP2 connection can do nothing else), whose queue holds subscriptions
 * asked for during an outage until Redis is back, and which node-redis restores after reconnecting.
 */
export function standaloneLink(url: string, clientOptions: RedisClientOptions, events: LinkEvents): RedisLink {
  const publisher = createClient({ ...clientOptions, url, disableOfflineQueue: true });
  const subscriber = createClient({ ...clientOptions, url, disableOfflineQueue: false });
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: unknown) => events.lost(error));
    client.on('ready', () => events.restored());
  }
  return {
    get ready() {
      return publisher.isReady && subscriber.isReady;
    },
    async connect() {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    },
    publish: (name, payload) => publisher.publish(name, payload),
    subscribe: (name, listener) => subscriber.subscribe(name, listener, true),
    unsubscribe: (name, listener) => subscriber.unsubscribe(name, listener, true),
    destroy() {
      for (const client of [publisher, subscriber]) if (client.isOpen) client.destroy();
    },
  };
}

/** A Redis Cluster (Redis ≥ 7), found from any of `rootUrls`. */
export function clusterLink(rootUrls: readonly string[], clientOptions: RedisClientOptions, events: LinkEvents): RedisLink {
  const cluster = createCluster({
    rootNodes: rootUrls.map((url) => ({ url })),
    defaults: { ...clientOptions, disableOfflineQueue: true },
  });
  let open = false;
  cluster.on('error', (error: unknown) => events.lost(error));
  cluster.on('node-error', (error: unknown) => events.lost(error));
  cluster.on('node-ready', () => events.restored());
  return {
    get ready() {
      return open;
    },
    async connect() {
      await cluster.connect();
      open = true;
    },
    publish: (name, payload) => cluster.sPublish(name, payload),
    subscribe: (name, listener) => cluster.sSubscribe(name, listener, true),
    unsubscribe: (name, listener) => cluster.sUnsubscribe(name, listener, true),
    destroy() {
      open = false;
      if (cluster.isOpen) cluster.destroy();
    },
  };
}
