import { JsonHubProtocol, type HubProtocol } from '@switchyard/protocol';
import type { Principal, TransportKind } from '@switchyard/connections';
import { GroupManager, HubClients } from '../clients.js';
import { Heartbeat } from '../heartbeat.js';
import type { HubClass } from '../hub.js';
import type { HubContext } from '../hub-context.js';
import { HubEndpoint } from '../hub-endpoint.js';
import { LocalHubLifetimeManager } from '../lifetime/local-hub-lifetime-manager.js';
import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { Logger } from '../logger.js';
import { resolveHubOptions, type HubOptions } from '../options.js';
import { FakeConnection } from './fake-connection.js';
import { TestClient } from './test-client.js';

export interface LogEntry {
  readonly level: keyof Logger;
  readonly context: object | string;
  readonly message: string | undefined;
}

export interface HarnessOptions extends HubOptions {
  protocols?: HubProtocol[];
  manager?: HubLifetimeManager;
  /** Builds the manager on the harness's manual heartbeat (a scaled manager's ack timeouts). */
  createManager?: (heartbeat: Heartbeat, protocols: readonly HubProtocol[]) => HubLifetimeManager;
}

export interface ConnectOptions {
  transport?: TransportKind;
  user?: Principal;
  protocol?: HubProtocol;
  statefulReconnect?: boolean;
  /** Skip the handshake (tests of the handshake itself). */
  handshake?: boolean;
}

/**
 * A hub endpoint wired to fake connections and a manual heartbeat: `advance(ms)` moves the clock and
 * runs one heartbeat tick, so keep-alive and timeouts are tested without waiting.
 */
export class HubHarness {
  readonly heartbeat = new Heartbeat(1000, true);
  readonly manager: HubLifetimeManager;
  readonly endpoint: HubEndpoint;
  readonly logs: LogEntry[] = [];
  readonly protocol: HubProtocol;
  #clock: number;

  constructor(hubClass: HubClass, options: HarnessOptions = {}) {
    const { protocols, manager, createManager, ...hubOptions } = options;
    const resolved = resolveHubOptions(hubOptions);
    const allProtocols = protocols ?? [new JsonHubProtocol()];
    this.protocol = allProtocols[0]!;
    this.manager =
      manager ??
      createManager?.(this.heartbeat, allProtocols) ??
      new LocalHubLifetimeManager({ heartbeat: this.heartbeat, clientResultTimeoutMs: resolved.clientResultTimeoutMs });
    // Integer time from 0: sums of fractional clock readings would make `advance` inexact.
    this.#clock = 0;
    this.heartbeat.tick(0);
    const record = (level: keyof Logger) => (context: object | string, message?: string) => {
      this.logs.push({ level, context, message });
    };
    this.endpoint = new HubEndpoint({
      hubClass,
      options: resolved,
      manager: this.manager,
      heartbeat: this.heartbeat,
      protocols: allProtocols,
      logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    });
  }

  /** A new client, handshake done unless `handshake: false`. */
  async connect(options: ConnectOptions = {}): Promise<TestClient> {
    const connection = new FakeConnection({ transport: options.transport, user: options.user, statefulReconnect: options.statefulReconnect });
    const client = new TestClient(connection, options.protocol ?? this.protocol);
    connection.listener = this.endpoint.handler(connection);
    if (options.handshake !== false) {
      const response = await client.handshake();
      if (response.error !== undefined) throw new Error(`handshake failed: ${response.error}`);
      // Let onConnected finish so the connection is fully registered.
      await settle();
    }
    return client;
  }

  /** The hub's clients and groups, as `app.hubContext` gives them. */
  context(): HubContext {
    return { clients: new HubClients(this.manager), groups: new GroupManager(this.manager) };
  }

  /** Moves the manual clock forward and runs one heartbeat tick. */
  advance(ms: number): void {
    this.#clock += ms;
    this.heartbeat.tick(this.#clock);
  }

  async close(): Promise<void> {
    await this.endpoint.close();
    await this.manager.dispose();
    this.heartbeat.dispose();
  }
}

/** Lets pending promise callbacks and queued microtasks run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
