import { HubConnection, exponentialBackoff, type Logger } from '@switchyard/client';
import type { DemoContract, Welcome } from '../../src/contract.js';
import type { TransportChoice } from './identity.js';

export type Connection = HubConnection<DemoContract>;
export type LiveState = 'Connecting' | 'Connected' | 'Reconnecting' | 'Disconnected';

/** Called after every successful (re)connection: join rooms again, restart streams. */
export type ReadyListener = (connection: Connection, welcome: Welcome) => void;
/** Called once per connection object, before it starts: register client-method handlers here. */
export type CreatedListener = (connection: Connection) => void;

export interface LiveOptions {
  readonly user: string;
  readonly onState: (state: LiveState, detail: string) => void;
  readonly log: (text: string, tone?: 'good' | 'bad' | 'info') => void;
}

const RETRY_START_MS = 2000;

/**
 * The page's one hub connection. A new one is made when the transport changes; it reconnects by
 * itself (a new connection, so everything is set up again through the ready listeners) and, when the
 * server is down at first, keeps trying to start.
 */
export class Live {
  readonly #options: LiveOptions;
  readonly #ready: ReadyListener[] = [];
  readonly #created: CreatedListener[] = [];
  #connection: Connection | undefined;
  #generation = 0;
  /** The generation whose start loop is running, so a close during a start does not begin a second loop. */
  #starting = -1;

  constructor(options: LiveOptions) {
    this.#options = options;
  }

  /** Runs after each (re)connection. Register before `connect`. */
  onReady(listener: ReadyListener): void {
    this.#ready.push(listener);
  }

  /** Runs for each new connection object (handlers stay across its automatic reconnects). Register before `connect`. */
  onCreated(listener: CreatedListener): void {
    this.#created.push(listener);
  }

  get connection(): Connection | undefined {
    return this.#connection?.state === 'Connected' ? this.#connection : undefined;
  }

  /** Drops the current connection (if any) and connects with `transport`. */
  async connect(transport: TransportChoice): Promise<void> {
    const generation = ++this.#generation;
    const previous = this.#connection;
    this.#connection = undefined;
    if (previous !== undefined) await previous.stop();
    const connection = this.#create(transport, generation);
    this.#connection = connection;
    await this.#start(connection, transport, generation);
  }

  #create(transport: TransportChoice, generation: number): Connection {
    const { log, onState } = this.#options;
    const current = (): boolean => generation === this.#generation;
    // The client's own lines show fallback and stateful re-attaching as they happen.
    const clientLog = (text: string): void => {
      if (current()) log(text);
    };
    const logger: Logger = { debug() {}, info: clientLog, warn: clientLog, error: clientLog };
    const connection: Connection = new HubConnection<DemoContract>({
      url: `/hubs/demo?user=${encodeURIComponent(this.#options.user)}`,
      ...(transport === 'auto' ? {} : transport === 'auto-blocked' ? { WebSocket: RefusedWebSocket } : { transport }),
      reconnect: exponentialBackoff({ firstDelayMs: 0, maxDelayMs: 5000 }),
      logger,
    });
    for (const listener of this.#created) listener(connection);
    connection.onReconnecting((error) => {
      if (!current()) return;
      onState('Reconnecting', 'reconnecting…');
      log(`Connection lost (${error?.message ?? 'no reason'}); reconnecting with backoff.`, 'bad');
    });
    connection.onReconnected(() => {
      if (current()) void this.#announce(connection, generation);
    });
    connection.onClose((error) => {
      if (!current()) return;
      onState('Disconnected', 'disconnected');
      log(`Connection closed${error === undefined ? '' : `: ${error.message}`}. Starting again…`, 'bad');
      void this.#start(connection, transport, generation);
    });
    return connection;
  }

  async #start(connection: Connection, transport: TransportChoice, generation: number): Promise<void> {
    const { log, onState } = this.#options;
    if (this.#starting === generation) return;
    this.#starting = generation;
    try {
      await this.#startLoop(connection, transport, generation, log, onState);
    } finally {
      if (this.#starting === generation) this.#starting = -1;
    }
  }

  async #startLoop(connection: Connection, transport: TransportChoice, generation: number, log: LiveOptions['log'], onState: LiveOptions['onState']): Promise<void> {
    while (generation === this.#generation) {
      onState('Connecting', transport.startsWith('auto') ? 'connecting…' : `connecting (${transport})…`);
      try {
        await connection.start();
        await this.#announce(connection, generation);
        return;
      } catch (error) {
        if (generation !== this.#generation) return;
        onState('Disconnected', 'server unreachable');
        log(`Could not connect: ${error instanceof Error ? error.message : String(error)}. Retrying in ${RETRY_START_MS / 1000} s.`, 'bad');
        await new Promise((resolve) => setTimeout(resolve, RETRY_START_MS));
      }
    }
  }

  async #announce(connection: Connection, generation: number): Promise<void> {
    const welcome = await connection.invoke('welcome');
    if (generation !== this.#generation) return;
    this.#options.onState('Connected', `${welcome.transport} · ${welcome.instance}`);
    this.#options.log(`Connected to server ${welcome.instance} over ${welcome.transport} (connection ${connection.connectionId ?? '?'}, backplane: ${welcome.backplane}).`, 'good');
    for (const listener of this.#ready) listener(connection, welcome);
  }
}

/**
 * A WebSocket refused on the way, as by a proxy that does not pass upgrades: it asks for a path the
 * server does not serve, so the browser's real WebSocket fails and the client falls back to the next
 * transport, which the log shows.
 */
class RefusedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    const refused = new URL(url);
    refused.pathname = '/websockets-refused-by-a-proxy';
    super(refused, protocols);
  }
}

/** Runs `for await` over a server stream until it ends or the connection drops; the next ready listener restarts it. */
export async function follow<T>(items: AsyncIterable<T>, onItem: (item: T) => void): Promise<void> {
  try {
    for await (const item of items) onItem(item);
  } catch {
    // The connection ended: a new one restarts the stream.
  }
}
