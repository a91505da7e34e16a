/**
 * Routes requests to endpoints by path, for any Node HTTP stack: `handleRequest`/`handleUpgrade` return
 * false for requests that are not ours so Express, Fastify or plain handlers can fall through, and
 * `attach` wires a `node:http`/`node:https` server in one call.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { ConnectionHandler } from './connection.js';
import { CorsPolicy, ORIGIN_NOT_ALLOWED, type CorsOptions } from './cors.js';
import { ConnectionEndpoint, type EndpointRoute } from './endpoint.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { rejectUpgrade, respondText } from './http-responses.js';
import type { ConnectionEndpointOptions } from './options.js';
import { pathOf } from './request-target.js';
import type { ConnectionsInstrumentation } from './instrumentation.js';

export interface ConnectionRouterOptions {
  /** CORS for every endpoint that has no `cors` of its own. @default undefined (no CORS headers, no origin check) */
  cors?: CorsOptions;
  /** Instrumentation for every endpoint without its own (see ConnectionEndpointOptions). @default undefined (none) */
  instrumentation?: Partial<ConnectionsInstrumentation>;
}

interface Route {
  readonly endpoint: ConnectionEndpoint;
  readonly kind: EndpointRoute;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Maps endpoints by path (case-insensitive; `{path}` and `{path}/negotiate`, each with or without a
 * trailing slash).
 *
 * @example
 * const router = new ConnectionRouter();
 * router.mapConnection('/echo', (connection) => ({
 *   onData: (payload) => connection.send(payload),
 *   onClose: () => {},
 * }));
 * router.attach(http.createServer().listen(5000));
 */
export class ConnectionRouter {
  readonly #routes = new Map<string, Route>();
  readonly #endpoints: ConnectionEndpoint[] = [];
  readonly #cors: CorsPolicy | undefined;
  readonly #instrumentation: Partial<ConnectionsInstrumentation> | undefined;
  readonly #detachers: (() => void)[] = [];
  #closing: Promise<void> | undefined;

  /** @throws ConnectionsError `ERR_CONNECTION_INVALID_OPTION` for malformed CORS options. */
  constructor(options: ConnectionRouterOptions = {}) {
    this.#cors = options.cors === undefined ? undefined : new CorsPolicy(options.cors);
    this.#instrumentation = options.instrumentation;
  }

  /** The mapped endpoints, in mapping order. */
  get endpoints(): readonly ConnectionEndpoint[] {
    return this.#endpoints;
  }

  /**
   * Maps a connection endpoint at `path`: `handler` gets every connection, on any enabled transport, as
   * raw bytes (a hub layer is one such handler; an echo is another).
   * @throws ConnectionsError `ERR_CONNECTION_PATH_CONFLICT`, `ERR_CONNECTION_INVALID_OPTION`
   */
  mapConnection(path: string, handler: ConnectionHandler, options?: ConnectionEndpointOptions): ConnectionEndpoint {
    const instrumentation = options?.instrumentation ?? this.#instrumentation;
    return this.addEndpoint(new ConnectionEndpoint(path, handler, instrumentation === undefined ? options : { ...options, instrumentation }));
  }

  /** Adds an endpoint built elsewhere. @throws ConnectionsError `ERR_CONNECTION_PATH_CONFLICT` */
  addEndpoint(endpoint: ConnectionEndpoint): ConnectionEndpoint {
    const base = endpoint.path === '/' ? '' : endpoint.path.toLowerCase();
    const keys: [string, EndpointRoute][] = [
      [base === '' ? '/' : base, 'connect'],
      [`${base}/`, 'connect'],
      [`${base}/negotiate`, 'negotiate'],
      [`${base}/negotiate/`, 'negotiate'],
    ];
    for (const [key] of keys) {
      if (this.#routes.has(key)) {
        throw new ConnectionsError(ConnectionsErrorCode.PathConflict, `'${endpoint.path}' conflicts with an endpoint already mapped at '${this.#routes.get(key)!.endpoint.path}'`);
      }
    }
    for (const [key, kind] of keys) this.#routes.set(key, { endpoint, kind });
    this.#endpoints.push(endpoint);
    return endpoint;
  }

  /**
   * Handles `req` if its path belongs to an endpoint and returns true; returns false (touching nothing)
   * otherwise, and for every request once {@link close} was called.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const route = this.#match(req);
    if (route === undefined) return false;
    const cors = route.endpoint.options.cors ?? this.#cors;
    if (cors !== undefined && (cors.apply(req, res) || !admitOrigin(cors, req, res, route.endpoint))) return true;
    route.endpoint.handleRequest(req, res, route.kind);
    return true;
  }

  /**
   * Handles a WebSocket upgrade if its path belongs to an endpoint and returns true; returns false
   * (socket untouched, not upgraded) otherwise.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const route = this.#match(req);
    if (route === undefined) return false;
    if (route.kind === 'negotiate') {
      socket.on('error', ignoreError);
      rejectUpgrade(socket, 405);
      return true;
    }
    const cors = route.endpoint.options.cors ?? this.#cors;
    if (cors !== undefined && !cors.allowsOrigin(req)) {
      socket.on('error', ignoreError);
      route.endpoint.options.instrumentation.connectionRefused?.('origin');
      rejectUpgrade(socket, 403, ORIGIN_NOT_ALLOWED);
      return true;
    }
    route.endpoint.handleUpgrade(req, socket, head);
    return true;
  }

  /**
   * Serves this router's paths on `server`. Listeners the server already had (an Express or Fastify
   * app, another WebSocket server) keep receiving every request and upgrade that is not ours; without
   * one, other requests get 404 and other upgrades are refused. {@link close} detaches again.
   */
  attach(server: HttpServer | HttpsServer): this {
    const previousRequest = server.listeners('request') as RequestListener[];
    const previousUpgrade = server.listeners('upgrade') as UpgradeListener[];
    server.removeAllListeners('request');
    server.removeAllListeners('upgrade');
    const onRequest: RequestListener = (req, res) => {
      if (this.handleRequest(req, res)) return;
      if (previousRequest.length === 0) respondText(res, 404);
      for (const listener of previousRequest) listener.call(server, req, res);
    };
    const onUpgrade: UpgradeListener = (req, socket, head) => {
      if (this.handleUpgrade(req, socket, head)) return;
      if (previousUpgrade.length === 0) {
        socket.on('error', ignoreError);
        rejectUpgrade(socket, 404);
      }
      for (const listener of previousUpgrade) listener.call(server, req, socket, head);
    };
    server.on('request', onRequest);
    server.on('upgrade', onUpgrade);
    this.#detachers.push(() => {
      server.off('request', onRequest);
      server.off('upgrade', onUpgrade);
      for (const listener of previousRequest) server.on('request', listener);
      for (const listener of previousUpgrade) server.on('upgrade', listener);
    });
    return this;
  }

  /**
   * Stops routing (handle* return false from now on), detaches from attached servers, and ends every
   * connection of every endpoint. Resolves once all have ended. Idempotent. Closing the HTTP server
   * itself stays the caller's job.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const detach of this.#detachers.splice(0)) detach();
    await Promise.all(this.#endpoints.map((endpoint) => endpoint.close()));
  }

  #match(req: IncomingMessage): Route | undefined {
    if (this.#closing !== undefined) return undefined;
    return this.#routes.get(pathOf(req.url ?? '/').toLowerCase());
  }
}

function ignoreError(): void {}

/** A request from an origin outside the allow-list is answered 403 here; true when it may go on. */
function admitOrigin(cors: CorsPolicy, req: IncomingMessage, res: ServerResponse, endpoint: ConnectionEndpoint): boolean {
  if (cors.allowsOrigin(req)) return true;
  endpoint.options.instrumentation.connectionRefused?.('origin');
  req.resume();
  respondText(res, 403, ORIGIN_NOT_ALLOWED);
  return false;
}
