import { BackplaneUnavailableError, type Backplane, type Channel, type Unsubscribe } from './backplane.js';

type Handler = (payload: Uint8Array) => void;

/**
 * A broker in this process: several servers (several `Switchyard` apps, each with its own
 * {@link InMemoryBackplane} from the same bus) talk through it. For tests, and for trying scale-out
 * without a broker. Delivery is asynchronous (a microtask later) and in publish order, like a broker's.
 *
 * @example
 * const bus = new InMemoryBus();
 * const a = new Switchyard({ backplane: bus.createBackplane() });
 * const b = new Switchyard({ backplane: bus.createBackplane() });
 */
export class InMemoryBus {
  readonly #subscribers = new Map<string, Set<Handler>>();
  #online = true;
  #nextServer = 0;

  /** A backplane for one more server on this bus. */
  createBackplane(serverId = `memory-${++this.#nextServer}`): InMemoryBackplane {
    return new InMemoryBackplane(this, serverId);
  }

  /**
   * False plays a broker outage: publishes reject with `BackplaneUnavailableError` (and are lost),
   * subscriptions stay and deliver again once it is back.
   */
  get online(): boolean {
    return this.#online;
  }
  set online(value: boolean) {
    this.#online = value;
  }

  /** @internal */
  publish(key: string, payload: Uint8Array): void {
    if (!this.#online) throw new BackplaneUnavailableError('The in-memory bus is offline.');
    const handlers = this.#subscribers.get(key);
    if (handlers === undefined) return;
    // One copy per publish, as a broker would: the publisher may reuse its buffer.
    const copy = payload.slice();
    const targets = [...handlers];
    queueMicrotask(() => {
      for (const handler of targets) if (handlers.has(handler)) handler(copy);
    });
  }

  /** @internal */
  subscribe(key: string, handler: Handler): void {
    let handlers = this.#subscribers.get(key);
    if (handlers === undefined) this.#subscribers.set(key, (handlers = new Set()));
    handlers.add(handler);
  }

  /** @internal */
  unsubscribe(key: string, handler: Handler): void {
    const handlers = this.#subscribers.get(key);
    if (handlers?.delete(handler) === true && handlers.size === 0) this.#subscribers.delete(key);
  }
}

/** One server's end of an {@link InMemoryBus}. */
export class InMemoryBackplane implements Backplane {
  readonly serverId: string;
  readonly #bus: InMemoryBus;
  readonly #subscriptions = new Set<Unsubscribe>();
  #closed = false;

  /** @internal use {@link InMemoryBus.createBackplane} */
  constructor(bus: InMemoryBus, serverId: string) {
    this.#bus = bus;
    this.serverId = serverId;
  }

  publish(channel: Channel, payload: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new BackplaneUnavailableError('The backplane is closed.'));
    try {
      this.#bus.publish(channelKey(channel), payload);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve();
  }

  subscribe(channel: Channel, onPayload: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    if (this.#closed) return Promise.reject(new BackplaneUnavailableError('The backplane is closed.'));
    const key = channelKey(channel);
    // A fresh function per subscription keeps two subscriptions of one channel independent.
    const handler: Handler = (payload) => onPayload(payload);
    this.#bus.subscribe(key, handler);
    const unsubscribe: Unsubscribe = () => {
      this.#subscriptions.delete(unsubscribe);
      this.#bus.unsubscribe(key, handler);
      return Promise.resolve();
    };
    this.#subscriptions.add(unsubscribe);
    return Promise.resolve(unsubscribe);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((unsubscribe) => unsubscribe()));
  }
}

/** Every channel's identity as one string; NUL cannot clash with a name's own characters in position. */
function channelKey(channel: Channel): string {
  switch (channel.kind) {
    case 'all':
    case 'groupCommands':
      return `${channel.hub}\0${channel.kind}`;
    case 'group':
      return `${channel.hub}\0group\0${channel.group}`;
    case 'user':
      return `${channel.hub}\0user\0${channel.userId}`;
    case 'connection':
      return `${channel.hub}\0connection\0${channel.connectionId}`;
    case 'ack':
    case 'return':
      return `${channel.hub}\0${channel.kind}\0${channel.serverId}`;
  }
}
