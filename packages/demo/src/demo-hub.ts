import { randomUUID } from 'node:crypto';
import { Hub, HubException, type HubClass } from '@switchyard/server';
import type { ChatMessage, CityLayout, DemoContract, DirectMessage, FleetFrame, MonitorSample, Quote, TickerFrame, Welcome } from './contract.js';
import type { DemoSite } from './demo-site.js';
import { CITY, FLEET_FRAMES_PER_SECOND, fleetFrame } from './fleet.js';
import { SYMBOLS, TICKS_PER_SECOND, tickerFrame } from './market.js';
import { clockFrames, historyThenLive } from './streams.js';

export const ROOMS = ['lobby', 'markets', 'dispatch'] as const;
const MAX_TEXT_LENGTH = 500;

type DemoServer = DemoContract['server'];

/**
 * The demo's one hub (one connection per page serves every view). Rooms are groups, users come from
 * the `user` query parameter (the hub's user-id provider), and the shared state lives in `site`.
 */
export function createDemoHub(site: DemoSite, backplane: string): HubClass<Hub<DemoContract['client']>> {
  return class DemoHub extends Hub<DemoContract['client']> implements DemoServer {
    get #user(): string {
      return this.context.userId ?? 'guest';
    }

    override async onConnected(): Promise<void> {
      await this.groups.add(this.context.connectionId, site.localGroup);
      site.connectionOpened(this.#user);
      await this.clients.caller.send('online', site.online());
    }

    override onDisconnected(): void {
      site.connectionClosed(this.#user);
    }

    welcome(): Welcome {
      return { instance: site.instance, transport: this.context.transport, user: this.#user, rooms: ROOMS, backplane };
    }

    async join(room: string): Promise<ChatMessage[]> {
      await this.groups.add(this.context.connectionId, requireRoom(room));
      return site.history.recent(room);
    }

    async say(room: string, text: string): Promise<void> {
      const message: ChatMessage = { id: randomUUID(), room: requireRoom(room), from: this.#user, text: requireText(text), at: Date.now() };
      // Every server (this one too) keeps it for whoever joins later; the group send delivers it now.
      site.publish({ type: 'message', ...message });
      await this.clients.group(room).send('message', message);
    }

    async direct(to: string, text: string): Promise<void> {
      if (typeof to !== 'string' || to === '') throw new HubException('Say who the message is for.');
      const message: DirectMessage = { id: randomUUID(), from: this.#user, to, text: requireText(text), at: Date.now() };
      // Both users, on every connection and every server: the sender's other tabs see it too.
      await this.clients.users([to, this.#user]).send('direct', message);
    }

    async typing(room: string): Promise<void> {
      await this.clients.othersInGroup(requireRoom(room)).send('typing', room, this.#user);
    }

    symbols(): Quote[] {
      return [...SYMBOLS];
    }

    async *ticker(): AsyncGenerator<TickerFrame> {
      yield* clockFrames(1000 / TICKS_PER_SECOND, this.signal, tickerFrame);
    }

    city(): CityLayout {
      return CITY;
    }

    async *fleet(): AsyncGenerator<FleetFrame> {
      yield* clockFrames(1000 / FLEET_FRAMES_PER_SECOND, this.signal, fleetFrame);
    }

    async *monitor(): AsyncGenerator<MonitorSample> {
      const { stats } = site;
      yield* historyThenLive(stats.history(), (listener) => stats.onSample(listener), this.signal);
    }
  };
}

function requireRoom(room: unknown): string {
  if (typeof room !== 'string' || !(ROOMS as readonly string[]).includes(room)) throw new HubException(`There is no room '${String(room)}'.`);
  return room;
}

function requireText(text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '') throw new HubException('A text is required.');
  const trimmed = text.trim();
  if (trimmed.length > MAX_TEXT_LENGTH) throw new HubException(`The text is longer than ${MAX_TEXT_LENGTH} characters.`);
  return trimmed;
}
