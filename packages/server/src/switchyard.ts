/**
 * The application object: maps hubs (and raw connections) on a path router from @switchyard/connections
 * and owns what they share: protocols, the heartbeat, one lifetime manager per hub class.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import {
  AccessDeniedError,
  ConnectionRouter,
  type AuthenticateHook,
  type ConnectionEndpointOptions,
  type ConnectionHandler,
  type CorsOptions,
} from '@switchyard/connections';
import { JsonHubProtocol, type HubProtocol, type MethodMap } from '@switchyard/protocol';
import type { Policy } from './auth/authorization.js';
import { GroupManager, HubClients } from './clients.js';
import { HubError, HubErrorCode } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import type { Hub, HubClass } from './hub.js';
import type { HubContext } from './hub-context.js';
import { HubEndpoint } from './hub-endpoint.js';
import { drainInBatches, resolveShutdownOptions, stopListening, type ShutdownOptions } from './graceful-shutdown.js';
import { resolveInstrumentation, type SwitchyardInstrumentation } from './instrumentation.js';
import type { HubLifetimeManager } from './lifetime/hub-lifetime-manager.js';
import { LocalHubLifetimeManager } from './lifetime/local-hub-lifetime-manager.js';
import { silentLogger, type Logger } from './logger.js';
import type { Backplane } from './scaleout/backplane.js';
import { ScaledHubLifetimeManager } from './scaleout/scaled-hub-lifetime-manager.js';
import { ScaleoutMonitor, type BackplaneStats } from './scaleout/scaleout-monitor.js';
import { heartbeatPeriodFor, resolveHubOptions, splitMapHubOptions, type HubOptions, type ResolvedHubOptions } from './options.js';

/** What a lifetime-manager factory learns about the hub it serves. */
export interface LifetimeManagerContext {
  /** The hub class name (a backplane's channel prefix). */
  readonly hubName: string;
  /** The app's protocols: a backplane pre-encodes messages for each. */
  readonly protocols: readonly HubProtocol[];
  /** Options of the first `mapHub` of this hub class. */
  readonly options: ResolvedHubOptions;
  /** The shared heartbeat, for timeouts. */
  readonly heartbeat: Heartbeat;
  /** The app's logger. */
  readonly logger: Logger;
}

export interface SwitchyardOptions {
  /** Hub protocols offered to clients, chosen by name in the handshake. @default [new JsonHubProtocol()] */
  protocols?: readonly HubProtocol[];
  /** Receives handshake failures, hub errors and dropped messages. @default silentLogger */
  logger?: Logger;
  /** CORS for every endpoint without its own `cors`. @default undefined (no CORS headers) */
  cors?: CorsOptions;
  /**
   * Creates the lifetime manager of each hub class (a custom scale-out). Not with `backplane`.
   * @default a LocalHubLifetimeManager (this process only), or a ScaledHubLifetimeManager with `backplane`
   */
  lifetimeManager?: (context: LifetimeManagerContext) => HubLifetimeManager;
  /**
   * Scale-out: connections held by other servers of the site are reached through this backplane
   * (`@switchyard/redis`, `@switchyard/nats`, or an `InMemoryBus` for tests). Every server must map
   * the same hubs with the same protocols. The app does not close it: close it after `app.close()`.
   * @default undefined (this process only, no broker)
   */
  backplane?: Backplane;
  /**
   * With `backplane`: how long a group change or client result for a connection on another server
   * waits for that server's acknowledgement before failing (`ERR_HUB_BACKPLANE_TIMEOUT`, or
   * `ERR_HUB_CONNECTION_NOT_FOUND` for a client result).
   * @default 30_000 (ms), as .NET's Redis backplane
   */
  backplaneAckTimeoutMs?: number;
  /**
   * Receives metrics events: connections, bytes, messages, invocation errors, backplane traffic
   * (`@switchyard/metrics` implements it with prom-client). Missing methods are no-ops.
   * @default undefined (nothing recorded)
   */
  instrumentation?: Partial<SwitchyardInstrumentation>;
}

/** `mapHub` options: the hub's own plus those of its connection endpoint (transports, authenticate, …). */
export type MapHubOptions = HubOptions & ConnectionEndpointOptions;

/** The client contract a hub class was declared with. */
type ClientContractOf<THub> = THub extends Hub<infer TClient> ? TClient : MethodMap;

interface HubRuntime {
  readonly manager: HubLifetimeManager;
  readonly context: HubContext;
}

/**
 * @example
 * const app = new Switchyard({ protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()] });
 * app.mapHub('/chat', ChatHub, { enableDetailedErrors: true });
 * app.attach(createServer().listen(5000));
 */
export class Switchyard {
  readonly #router: ConnectionRouter;
  readonly #protocols: readonly HubProtocol[];
  readonly #logger: Logger;
  readonly #instrumentation: SwitchyardInstrumentation;
  readonly #createManager: (context: LifetimeManagerContext) => HubLifetimeManager;
  readonly #heartbeat = new Heartbeat();
  readonly #hubs = new Map<HubClass, HubRuntime>();
  readonly #endpoints: HubEndpoint[] = [];
  readonly #monitor: ScaleoutMonitor | undefined;
  /** Servers given to `attach`, which `shutdown` stops listening. */
  readonly #servers: (HttpServer | HttpsServer)[] = [];
  #closing: Promise<void> | undefined;

  /** @throws HubError `ERR_HUB_INVALID_OPTION` for an empty protocol list or two protocols with one name. */
  constructor(options: SwitchyardOptions = {}) {
    const protocols = options.protocols ?? [new JsonHubProtocol()];
    if (protocols.length === 0) throw new HubError(HubErrorCode.InvalidOption, 'protocols must name at least one hub protocol.');
    const names = new Set(protocols.map((protocol) => protocol.name.toLowerCase()));
    if (names.size !== protocols.length) throw new HubError(HubErrorCode.InvalidOption, 'Two hub protocols have the same name.');
    this.#protocols = protocols;
    this.#logger = options.logger ?? silentLogger;
    this.#instrumentation = resolveInstrumentation(options.instrumentation);
    const { backplane } = options;
    if (backplane !== undefined) {
      if (options.lifetimeManager !== undefined) throw new HubError(HubErrorCode.InvalidOption, 'Give either backplane or lifetimeManager, not both.');
      const ackTimeoutMs = options.backplaneAckTimeoutMs ?? 30_000;
      if (!(ackTimeoutMs > 0)) throw new HubError(HubErrorCode.InvalidOption, `backplaneAckTimeoutMs must be positive, got ${ackTimeoutMs}.`);
      const monitor = (this.#monitor = new ScaleoutMonitor(this.#logger, this.#instrumentation));
      this.#createManager = (context) =>
        new ScaledHubLifetimeManager({
          backplane,
          hubName: context.hubName,
          protocols: context.protocols,
          heartbeat: context.heartbeat,
          clientResultTimeoutMs: context.options.clientResultTimeoutMs,
          ackTimeoutMs,
          monitor,
        });
    } else {
      this.#createManager =
        options.lifetimeManager ??
        ((context) => new LocalHubLifetimeManager({ heartbeat: context.heartbeat, clientResultTimeoutMs: context.options.clientResultTimeoutMs }));
    }
    this.#router = new ConnectionRouter({ cors: options.cors, instrumentation: this.#instrumentation });
  }

  /** Counters of the backplane's traffic and failures (a copy); undefined without a `backplane`. */
  get backplaneStats(): BackplaneStats | undefined {
    return this.#monitor?.stats;
  }

  /** The underlying path router, for what this class does not wrap. */
  get router(): ConnectionRouter {
    return this.#router;
  }

  /**
   * Serves `hubClass` at `path`. A hub class may be mapped at several paths; its connections then share
   * one lifetime manager (groups, users, `hubContext`), and the first mapping's `clientResultTimeoutMs`.
   * @throws HubError `ERR_HUB_INVALID_HUB` / `ERR_HUB_INVALID_OPTION`, ConnectionsError for path or endpoint options.
   */
  mapHub(path: string, hubClass: HubClass, options: MapHubOptions = {}): this {
    if (this.#closing !== undefined) throw new HubError(HubErrorCode.Closed, 'The app is closed.');
    const split = splitMapHubOptions(options);
    const hubOptions = resolveHubOptions(split.hub);
    const runtime = this.#runtime(hubClass, hubOptions);
    const endpoint = new HubEndpoint({
      hubClass,
      options: hubOptions,
      manager: runtime.manager,
      heartbeat: this.#heartbeat,
      protocols: this.#protocols,
      logger: this.#logger,
      instrumentation: this.#instrumentation,
    });
    this.#router.mapConnection(path, endpoint.handler, withHubAuthorization(split.endpoint, hubOptions.authorization.hub));
    this.#heartbeat.requirePeriod(heartbeatPeriodFor(hubOptions));
    this.#endpoints.push(endpoint);
    return this;
  }

  /** Serves a raw connection endpoint (bytes in, bytes out; no hub protocol) at `path`. */
  mapConnection(path: string, handler: ConnectionHandler, options?: ConnectionEndpointOptions): this {
    this.#router.mapConnection(path, handler, options);
    return this;
  }

  /**
   * A mapped hub's clients and groups, for code outside hubs (HTTP handlers, timers, jobs).
   * @throws HubError `ERR_HUB_NOT_MAPPED` for a hub class that was never mapped.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  hubContext<THub extends Hub<any>>(hubClass: HubClass<THub>): HubContext<ClientContractOf<THub>> {
    const runtime = this.#hubs.get(hubClass);
    if (runtime === undefined) {
      throw new HubError(HubErrorCode.HubNotMapped, `Hub '${hubClass.name}' is not mapped: call mapHub first.`);
    }
    return runtime.context;
  }

  /** Handles `req` if it belongs to a mapped path; false otherwise (let the next handler have it). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    return this.#router.handleRequest(req, res);
  }

  /** Handles a WebSocket upgrade if it belongs to a mapped path; false otherwise (socket untouched). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return this.#router.handleUpgrade(req, socket, head);
  }

  /** Serves the mapped paths on `server`; its other listeners keep everything else. */
  attach(server: HttpServer | HttpsServer): this {
    this.#router.attach(server);
    this.#servers.push(server);
    return this;
  }

  /**
   * Graceful shutdown: Close {allowReconnect: true} to every hub connection, their onDisconnected, then
   * the transports end and the router detaches. Closing the HTTP server stays the caller's job. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /**
   * Graceful shutdown in batches, for a server leaving a site (deploys, scale-in, SIGTERM): new
   * connections are refused with 503 and the attached HTTP servers stop listening; then hub clients get
   * Close {allowReconnect: true} `drainBatchSize` at a time every `drainIntervalMs`, so they reconnect to
   * the site's other servers spread over time; after the last batch the server waits up to
   * `drainTimeoutMs` for them to go, then ends every connection left as {@link close} does. Resolves
   * when everything has ended. Shares {@link close}'s promise: whichever is called first decides.
   * @throws HubError `ERR_HUB_INVALID_OPTION` for a bad option (synchronously).
   */
  shutdown(options?: ShutdownOptions): Promise<void> {
    const resolved = resolveShutdownOptions(options);
    this.#closing ??= (async () => {
      for (const endpoint of this.#router.endpoints) endpoint.stopAccepting();
      for (const endpoint of this.#endpoints) endpoint.stopAccepting();
      if (resolved.stopListening) for (const server of this.#servers) stopListening(server);
      await drainInBatches(this.#endpoints, resolved);
      await this.#close();
    })();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await Promise.all(this.#endpoints.map((endpoint) => endpoint.close()));
    await this.#router.close();
    await Promise.all([...this.#hubs.values()].map((runtime) => runtime.manager.dispose()));
    this.#heartbeat.dispose();
  }

  #runtime(hubClass: HubClass, options: ResolvedHubOptions): HubRuntime {
    let runtime = this.#hubs.get(hubClass);
    if (runtime === undefined) {
      const manager = this.#createManager({ hubName: hubClass.name, protocols: this.#protocols, options, heartbeat: this.#heartbeat, logger: this.#logger });
      runtime = { manager, context: { clients: new HubClients(manager), groups: new GroupManager(manager) } };
      this.#hubs.set(hubClass, runtime);
    }
    return runtime;
  }
}

/**
 * A hub policy is enforced by the connections layer on negotiate and every transport request:
 * no user → 401 (`requireAuthentication`), a refusing policy → 403.
 */
function withHubAuthorization(options: ConnectionEndpointOptions, policy: Policy | undefined): ConnectionEndpointOptions {
  if (policy === undefined) return options;
  const hook = options.authenticate;
  if (hook === undefined) {
    throw new HubError(HubErrorCode.InvalidOption, 'authorization.hub needs an authenticate hook (for example jwtAuthenticator).');
  }
  if (policy === true) return { ...options, requireAuthentication: true };
  const authenticate: AuthenticateHook = async (request) => {
    const user = await hook(request);
    if (user !== undefined && !(await policy(user))) throw new AccessDeniedError(403);
    return user;
  };
  return { ...options, authenticate, requireAuthentication: true };
}
