/**
 * One mapped path (`/chat`) and its connections: the HTTP dispatcher of ASP.NET Core's
 * `HttpConnectionDispatcher`, with its status codes and texts.
 *
 * | request                                   | handled by                          |
 * |-------------------------------------------|-------------------------------------|
 * | POST {path}/negotiate                     | negotiate (other verbs: 405)        |
 * | GET {path} + Upgrade: websocket           | websocket-upgrade.ts                |
 * | GET {path} + Accept: text/event-stream    | Server-Sent Events (transport-requests.ts) |
 * | GET {path}                                | long polling (transport-requests.ts) |
 * | POST {path}                               | send, SSE / long polling (transport-requests.ts) |
 * | DELETE {path}                             | end a long-polling connection (transport-requests.ts) |
 * | anything else                             | 405                                 |
 *
 * This file routes, authenticates and negotiates; the transport requests live in the files named.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { authenticate, type AuthOutcome } from './auth.js';
import type { ConnectionHandler, Principal } from './connection.js';
import { ConnectionManager } from './connection-manager.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { discardBody, rejectUpgrade, respondDenied, respondText } from './http-responses.js';
import { availableTransportsJson, negotiateErrorBody, negotiateResponseBody, parseNegotiateQuery } from './negotiate.js';
import { resolveEndpointOptions, type ConnectionEndpointOptions, type ResolvedConnectionEndpointOptions } from './options.js';
import { queryOf, queryValue } from './request-target.js';
import { serveDelete, serveLongPoll, serveSend, serveServerSentEvents, type TransportRequestContext } from './transport-requests.js';
import { SignalRWebSocket } from './transports/websocket.js';
import { acceptWebSocket, ignoreSocketError } from './websocket-upgrade.js';

/** Which of an endpoint's two URLs a request addressed. */
export type EndpointRoute = 'negotiate' | 'connect';

const unauthorizedHeaders = ['WWW-Authenticate: Bearer'];

export class ConnectionEndpoint {
  /** The mapped path, as given (without a trailing slash). */
  readonly path: string;
  readonly options: ResolvedConnectionEndpointOptions;
  readonly #manager: ConnectionManager;
  /** What the transport request handlers (transport-requests.ts, websocket-upgrade.ts) use. */
  readonly #context: TransportRequestContext;
  readonly #transportsJson: string;
  readonly #webSockets: WebSocketServer;
  #closed = false;
  /** False once {@link stopAccepting} ran: no new connection (negotiate, skipNegotiation WebSocket). */
  #accepting = true;

  /**
   * @param path where the endpoint lives (`/chat`); negotiate is `{path}/negotiate`.
   * @param handler called once per connection when its transport starts.
   * @throws ConnectionsError `ERR_CONNECTION_INVALID_OPTION` for a bad path or option.
   */
  constructor(path: string, handler: ConnectionHandler, options?: ConnectionEndpointOptions) {
    if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
      throw new ConnectionsError(ConnectionsErrorCode.InvalidOption, `path must start with '/' and hold no query, got '${String(path)}'`);
    }
    if (typeof handler !== 'function') throw new ConnectionsError(ConnectionsErrorCode.InvalidOption, 'handler must be a function');
    this.path = path.length > 1 ? path.replace(/\/+$/, '') : path;
    this.options = resolveEndpointOptions(options);
    this.#manager = new ConnectionManager(handler, this.options);
    this.#context = { manager: this.#manager, options: this.options };
    this.#transportsJson = availableTransportsJson(this.options.transports);
    this.#webSockets = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.options.maxRequestBodyBytes,
      // ws ≥ 8.19 bounds the close handshake itself; older versions fall back to the heartbeat.
      closeTimeout: this.options.webSocketCloseTimeoutMs,
      WebSocket: SignalRWebSocket,
    } as ConstructorParameters<typeof WebSocketServer>[0]);
  }

  /** Connections currently known (negotiated, open or closing). */
  get connectionCount(): number {
    return this.#manager.size;
  }

  /**
   * Handles a non-upgrade request for `route` (the router matched the path). Always answers it.
   * @internal
   */
  handleRequest(req: IncomingMessage, res: ServerResponse, route: EndpointRoute): void {
    const method = req.method;
    const allowed = route === 'negotiate' ? method === 'POST' : method === 'GET' || method === 'POST' || method === 'DELETE';
    const refusal = this.#closed ? 503 : !allowed ? 405 : route === 'negotiate' && !this.#accepting ? 503 : 0;
    if (refusal !== 0) {
      discardBody(req);
      // A refusing server is leaving: the client's next attempt must open a new TCP connection, which
      // a load balancer sends elsewhere, not reuse this keep-alive socket.
      if (refusal === 503) res.setHeader('Connection', 'close');
      respondText(res, refusal);
      return;
    }
    const hook = this.options.authenticate;
    if (hook === undefined) {
      this.#dispatch(req, res, route, undefined);
      return;
    }
    void authenticate(hook, this.options.requireAuthentication, req).then((outcome) => this.#afterAuthentication(req, res, route, outcome));
  }

  /**
   * Handles a WebSocket upgrade for this endpoint's path: accepts it or answers with an HTTP error.
   * @internal
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The socket may fail while the hook runs; without a listener that error would crash the process.
    socket.on('error', ignoreSocketError);
    if (this.#closed || (!this.#accepting && !this.#isKnownConnection(req))) {
      rejectUpgrade(socket, 503);
      return;
    }
    if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
      rejectUpgrade(socket, 400, 'Expected a WebSocket upgrade');
      return;
    }
    const hook = this.options.authenticate;
    if (hook === undefined) {
      this.#upgrade(req, socket, head, undefined);
      return;
    }
    void authenticate(hook, this.options.requireAuthentication, req).then((outcome) => {
      try {
        if (typeof outcome === 'number') rejectUpgrade(socket, outcome, '', outcome === 401 ? unauthorizedHeaders : []);
        else this.#upgrade(req, socket, head, outcome);
      } catch {
        socket.destroy();
      }
    });
  }

  /**
   * Graceful shutdown, first step: refuse new connections with 503 (negotiate, and WebSocket upgrades
   * that name no known connection, as `skipNegotiation` clients send), while the connections already
   * here keep working (their polls, sends, event streams and stateful-reconnect resumes) until
   * {@link close} or their own end. Idempotent.
   */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** True while {@link stopAccepting} has not been called. */
  get accepting(): boolean {
    return this.#accepting && !this.#closed;
  }

  /**
   * Ends every connection (WebSocket close handshakes bounded by `webSocketCloseTimeoutMs`), stops the
   * heartbeat, and refuses further requests with 503. Resolves once every connection has ended.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#manager.closeAll(this.options.webSocketCloseTimeoutMs + 1000);
    this.#webSockets.close();
  }

  #afterAuthentication(req: IncomingMessage, res: ServerResponse, route: EndpointRoute, outcome: AuthOutcome): void {
    if (typeof outcome === 'number') {
      discardBody(req);
      respondDenied(res, outcome);
      return;
    }
    try {
      this.#dispatch(req, res, route, outcome);
    } catch {
      // Never reached by design; a bug here must cost one request, not the process.
      respondText(res, 500);
    }
  }

  #dispatch(req: IncomingMessage, res: ServerResponse, route: EndpointRoute, user: Principal | undefined): void {
    if (route === 'negotiate') {
      this.#negotiate(req, res, user);
      return;
    }
    const token = queryValue(queryOf(req.url ?? ''), 'id');
    const named = token === undefined ? undefined : this.#manager.get(token);
    if (named !== undefined && !this.#manager.guards.mayUse(named, user, res)) {
      discardBody(req);
      return;
    }
    switch (req.method) {
      case 'POST':
        serveSend(this.#context, req, res, token);
        return;
      case 'DELETE':
        discardBody(req);
        serveDelete(this.#context, res, token);
        return;
      default:
        discardBody(req);
        if (req.headers.accept?.includes('text/event-stream') === true) serveServerSentEvents(this.#context, req, res, token, user);
        else serveLongPoll(this.#context, req, res, token, user);
    }
  }

  #negotiate(req: IncomingMessage, res: ServerResponse, user: Principal | undefined): void {
    discardBody(req);
    const { minimumNegotiateVersion, allowStatefulReconnect } = this.options;
    const request = parseNegotiateQuery(queryOf(req.url ?? ''), minimumNegotiateVersion, allowStatefulReconnect);
    let body: string;
    if (request.ok) {
      if (!this.#manager.guards.mayCreate(req, user, res)) return;
      const connection = this.#manager.create(request.version > 0, request.statefulReconnect);
      this.#manager.guards.created(connection, req, user);
      body = negotiateResponseBody({
        version: request.version,
        connectionId: connection.connectionId,
        connectionToken: connection.token,
        statefulReconnect: request.statefulReconnect,
        transportsJson: this.#transportsJson,
      });
    } else {
      // Version errors travel in a 200 body; the client throws `new Error(error)`.
      body = negotiateErrorBody(request.error);
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }

  #isKnownConnection(req: IncomingMessage): boolean {
    const token = queryValue(queryOf(req.url ?? ''), 'id');
    return token !== undefined && this.#manager.get(token) !== undefined;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, user: Principal | undefined): void {
    // The client may have gone while the hook ran; `ws` would then drop the socket without telling us.
    if (this.#closed || socket.destroyed || !socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    acceptWebSocket(this.#context, this.#webSockets, req, socket, head, user);
  }
}

