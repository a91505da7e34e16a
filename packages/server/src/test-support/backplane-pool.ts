/** Helpers shared by the backplane suite's parts. */
import { randomUUID } from 'node:crypto';
import type { Backplane } from '../scaleout/backplane.js';
import { withTimeout } from './test-client.js';

/** A new backplane for one more server, on the same broker as the factory's other backplanes. */
export type BackplaneFactory = () => Promise<Backplane>;

/** Collects the payloads of one subscription. */
export class Inbox {
  readonly payloads: Uint8Array[] = [];
  #waiters: Array<{ readonly count: number; readonly resolve: () => void }> = [];

  readonly onPayload = (payload: Uint8Array): void => {
    this.payloads.push(payload);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.payloads.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  /** Resolves once `count` payloads arrived in all. */
  async waitFor(count: number, what = `${count} payload(s)`): Promise<Uint8Array[]> {
    if (this.payloads.length < count) await withTimeout(new Promise<void>((resolve) => this.#waiters.push({ count, resolve })), what);
    return this.payloads;
  }

  texts(): string[] {
    return this.payloads.map((payload) => Buffer.from(payload).toString('utf8'));
  }
}

/** Backplanes made by one test, closed after it. */
export class BackplanePool {
  readonly #factory: BackplaneFactory;
  readonly #open: Backplane[] = [];

  constructor(factory: BackplaneFactory) {
    this.#factory = factory;
  }

  async create(): Promise<Backplane> {
    const backplane = await this.#factory();
    this.#open.push(backplane);
    return backplane;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((backplane) => backplane.close()));
  }
}

/** A hub name no other test (or test process on the same broker) uses. */
export function uniqueHub(): string {
  return `Hub${randomUUID().slice(0, 8)}`;
}

