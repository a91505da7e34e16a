import type { Connection, ConnectionListener } from '@switchyard/connections';
import { MessageType, type HubProtocol, type ParseOptions } from '@switchyard/protocol';
import { GroupManager } from './clients.js';
import type { HandshakeSettings } from './handshake.js';
import type { Heartbeat, HeartbeatMember } from './heartbeat.js';
import type { HubClass } from './hub.js';
import { HubMethodTable } from './hub-methods.js';
import { HubSession } from './hub-session.js';
import type { SessionLifecycle } from './session-lifecycle.js';
import type { HubLifetimeManager } from './lifetime/hub-lifetime-manager.js';
import { noInstrumentation, type SwitchyardInstrumentation } from './instrumentation.js';
import type { Logger } from './logger.js';
import type { ResolvedHubOptions } from './options.js';

export interface HubEndpointSettings {
  readonly hubClass: HubClass;
  readonly options: ResolvedHubOptions;
  readonly manager: HubLifetimeManager;
  readonly heartbeat: Heartbeat;
  readonly protocols: readonly HubProtocol[];
  readonly logger: Logger;
  /** @default noInstrumentation */
  readonly instrumentation?: SwitchyardInstrumentation;
}

/**
 * Everything one mapped hub shares between its connections: the method table (built once), options,
 * the lifetime manager, the live sessions. Its {@link handler} is the connections layer's
 * `ConnectionHandler` for the hub's path.
 */
export class HubEndpoint implements HeartbeatMember {
  readonly hubClass: HubClass;
  readonly methods: HubMethodTable;
  readonly options: ResolvedHubOptions;
  readonly manager: HubLifetimeManager;
  readonly groups: GroupManager;
  readonly heartbeat: Heartbeat;
  readonly protocols: readonly HubProtocol[];
  readonly logger: Logger;
  readonly instrumentation: SwitchyardInstrumentation;
  /** The hub class name: the `hub` label of metrics and log lines. */
  readonly hubName: string;
  readonly parseOptions: ParseOptions;
  readonly handshakeSettings: HandshakeSettings;
  /** The live sessions (until their onDisconnected has run); the endpoint ticks them on the heartbeat. */
  readonly sessions = new Set<SessionLifecycle>();
  readonly #pings = new Map<HubProtocol, Uint8Array>();
  #closing = false;

  constructor(settings: HubEndpointSettings) {
    this.hubClass = settings.hubClass;
    this.options = settings.options;
    this.methods = new HubMethodTable(settings.hubClass, settings.options.authorization.methods);
    this.manager = settings.manager;
    this.groups = new GroupManager(settings.manager);
    this.heartbeat = settings.heartbeat;
    this.protocols = settings.protocols;
    this.logger = settings.logger;
    this.instrumentation = settings.instrumentation ?? noInstrumentation;
    this.hubName = settings.hubClass.name;
    const max = settings.options.maximumReceiveMessageSize;
    this.parseOptions = max === null ? {} : { maxMessageSize: max };
    this.handshakeSettings = { protocols: settings.protocols, maxSize: max, detailedErrors: settings.options.enableDetailedErrors };
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** The connections layer calls this once per connection of the hub's path. */
  readonly handler = (connection: Connection): ConnectionListener => new HubSession(connection, this);

  /**
   * A new session. The endpoint, not each session, is the heartbeat's member while it has sessions:
   * one set entry per connection fewer (closed sessions waiting for onDisconnected skip their tick).
   */
  addSession(session: SessionLifecycle): void {
    this.sessions.add(session);
    if (this.sessions.size === 1) this.heartbeat.add(this);
  }

  /** A session that ended (its onDisconnected has run, or it never got past the handshake). */
  removeSession(session: SessionLifecycle): void {
    if (!this.sessions.delete(session)) return;
    if (this.sessions.size === 0) this.heartbeat.delete(this);
  }

  onHeartbeat(now: number): void {
    // Authentication expiry is wall-clock time (a token's `exp`); read the clock once per tick, not per session.
    const wallClockMs = Date.now();
    for (const session of this.sessions) session.onHeartbeat(now, wallClockMs);
  }

  /** A Ping in `protocol`, encoded once per endpoint. */
  pingBytes(protocol: HubProtocol): Uint8Array {
    let bytes = this.#pings.get(protocol);
    if (bytes === undefined) this.#pings.set(protocol, (bytes = protocol.writeMessage({ type: MessageType.Ping })));
    return bytes;
  }

  /** Graceful shutdown's first step: sessions that start from now on are closed at once. */
  stopAccepting(): void {
    this.#closing = true;
  }

  /**
   * Graceful shutdown: every connection gets Close {allowReconnect: true} and its onDisconnected runs.
   * Resolves when all of them have finished.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const ended: Promise<void>[] = [];
    for (const session of this.sessions) ended.push(session.shutdown());
    await Promise.all(ended);
  }
}
