import { randomUUID } from 'node:crypto';
import type { HubContext, Unsubscribe } from '@switchyard/server';
import { ChatHistory } from './chat-history.js';
import type { DemoContract } from './contract.js';
import { Presence } from './presence.js';
import { ServerStats } from './server-stats.js';
import type { SiteBus, SiteEvent } from './site-bus.js';

/** How often each server repeats its roster, so the others notice when it dies. */
const ROSTER_INTERVAL_MS = 3000;

/**
 * What one demo server process shares between its hub invocations: room history, presence and its
 * vital signs, kept in step with the other servers through the site bus.
 */
export class DemoSite {
  readonly instance: string;
  readonly history = new ChatHistory();
  readonly stats: ServerStats;
  /**
   * The group of this process's connections (the hub adds each one), which `online` lists are sent
   * to. Unique per process, so processes that share a port number on different hosts stay apart.
   */
  readonly localGroup: string;
  readonly #presence: Presence;
  readonly #bus: SiteBus;
  #localConnections = 0;
  #hub: HubContext<DemoContract['client']> | undefined;
  #unsubscribe: Unsubscribe | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(instance: string, bus: SiteBus) {
    this.instance = instance;
    this.#bus = bus;
    this.#presence = new Presence(instance, ROSTER_INTERVAL_MS * 3);
    this.stats = new ServerStats(instance);
    this.localGroup = `server${instance}-${randomUUID()}`;
  }

  async start(hub: HubContext<DemoContract['client']>): Promise<void> {
    this.#hub = hub;
    this.#unsubscribe = await this.#bus.subscribe((event) => this.#receive(event));
    this.#timer = setInterval(() => this.#publishRoster(), ROSTER_INTERVAL_MS);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.stats.close();
    await this.#unsubscribe?.();
  }

  /** Everyone online across the site, as this server knows it. */
  online(): string[] {
    return this.#presence.online();
  }

  publish(event: SiteEvent): void {
    this.#bus.publish(event);
  }

  /** After the connection joined {@link localGroup}. */
  connectionOpened(user: string): void {
    this.#localConnections++;
    this.#presence.connected(user);
    this.#publishRoster();
  }

  connectionClosed(user: string): void {
    this.#localConnections--;
    this.#presence.disconnected(user);
    this.#publishRoster();
    this.#pushOnline();
  }

  #publishRoster(): void {
    this.#bus.publish({ type: 'roster', instance: this.instance, users: this.#presence.localUsers(), at: Date.now() });
    // Rosters of servers that went quiet expire here, even if no event arrives.
    this.#pushOnline();
  }

  #receive(event: SiteEvent): void {
    switch (event.type) {
      case 'message':
        this.history.add({ id: event.id, room: event.room, from: event.from, text: event.text, at: event.at });
        break;
      case 'roster':
        this.#presence.roster(event.instance, event.users, event.at);
        this.#pushOnline();
        break;
    }
  }

  /** Tells this server's connections who is online, when that changed. */
  #pushOnline(): void {
    const online = this.#presence.online();
    if (this.#hub === undefined || this.#localConnections === 0 || !this.#presence.changed(online)) return;
    this.#hub.clients.group(this.localGroup).send('online', online).catch(() => {
      // The backplane could not take it: the next change or roster refresh tells them.
    });
  }
}
