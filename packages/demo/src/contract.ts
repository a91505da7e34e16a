/**
 * The demo hub's contract, shared by the server (`DemoHub`) and the web app (`HubConnection<DemoContract>`):
 * types only, erased from both bundles.
 */

export type Transport = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

/** A message in a room, as broadcast and as kept in the room's recent history. */
export interface ChatMessage {
  readonly id: string;
  readonly room: string;
  readonly from: string;
  readonly text: string;
  /** ms since the epoch, server clock */
  readonly at: number;
}

/** A direct message between two users (delivered to every connection of both). */
export interface DirectMessage {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly at: number;
}

/** What a connection learns right after connecting. */
export interface Welcome {
  /** Which server process holds this connection (several share one site with a backplane). */
  readonly instance: string;
  readonly transport: Transport;
  readonly user: string;
  readonly rooms: readonly string[];
  /** `none`, `redis` or `nats`: how this server reaches the others. */
  readonly backplane: string;
}

export interface Quote {
  readonly symbol: string;
  readonly name: string;
}

/** Prices of every symbol, in the order of `symbols()`. */
export interface TickerFrame {
  readonly at: number;
  readonly prices: readonly number[];
}

export type VehicleKind = 'taxi' | 'bus' | 'van' | 'bike';

export interface CityLayout {
  /** Blocks across and down; streets run between them on integer coordinates 0..columns, 0..rows. */
  readonly columns: number;
  readonly rows: number;
  /** Blocks that are parks (drawn green), as `[column, row]`. */
  readonly parks: readonly (readonly [number, number])[];
  readonly vehicles: readonly VehicleKind[];
}

/** Every vehicle's position as `x, y` pairs in hundredths of a block, in the order of `city().vehicles`. */
export interface FleetFrame {
  readonly at: number;
  readonly positions: readonly number[];
}

/** One second of the server's own vital signs. */
export interface MonitorSample {
  readonly at: number;
  readonly instance: string;
  readonly connections: Readonly<Record<Transport, number>>;
  /** Hub invocations received in that second. */
  readonly messagesIn: number;
  /** Messages sent in that second: stream items, chat deliveries, presence updates. */
  readonly messagesOut: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
}

export interface DemoContract {
  server: {
    welcome(): Welcome;
    /** Joins the room's group; returns its recent messages (oldest first). */
    join(room: string): Promise<ChatMessage[]>;
    say(room: string, text: string): Promise<void>;
    direct(to: string, text: string): Promise<void>;
    typing(room: string): Promise<void>;
    symbols(): Quote[];
    ticker(): AsyncIterable<TickerFrame>;
    city(): CityLayout;
    fleet(): AsyncIterable<FleetFrame>;
    /** The last minute of samples first, then one per second. */
    monitor(): AsyncIterable<MonitorSample>;
  };
  client: {
    message(message: ChatMessage): void;
    direct(message: DirectMessage): void;
    typing(room: string, user: string): void;
    online(users: string[]): void;
  };
}
