/**
 * One mapped path (`/chat`) and its connections: the HTTP dispatcher of ASP.NET Core's
 * `HttpConnectionDispatcher`, with its status codes and texts.
 *
 * | request                                   | handled by                          |
 * |-------------------------------------------|-------------------------------------|
 * | POST {path}/negotiate                     | negotiate (other verbs: 405)        |
 * | GET {path} + Upgrade: websocket           | {@link ConnectionEndpoint.handleUpgrade} |
 * | GET {path} + Accept: text/event-stream    | Server-Sent Events                  |
 * | GET {path}                                | long polling                        |
 * | POST {path}                               | send (SSE / long polling)           |
 * | DELETE {path}                             | end a long-polling connection       |
 * | anything else                             | 405                                 |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { authenticate, type AuthOutcome } from './auth.js';
import type { ConnectionHandler, Principal, TransportKind } from './connection.js';
import { ConnectionManager } from './connection-manager.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import type { HttpConnection } from './http-connection.js';
import { discardBody, rejectUpgrade, respondDenied, respondText } from './http-responses.js';
import { availableTransportsJson, negotiateErrorBody, negotiateResponseBody, parseNegotiateQuery } from './negotiate.js';
import { resolveEndpointOptions, type ConnectionEndpointOptions, type ResolvedConnectionEndpointOptions } from './options.js';
import { queryOf, queryValue } from './request-target.js';
import { answerFirstPoll, LongPollingSink, setNoCacheHeaders } from './transports/long-polling.js';
import { receiveSend } from './transports/send.js';
import { startServerSentEvents } from './transports/server-sent-events.js';
import { SignalRWebSocket, WebSocketSink } from './transports/websocket.js';

/** Which of an endpoint's two URLs a request addressed. */
export type EndpointRoute = 'negotiate' | 'connect';

const unauthorizedHeaders = ['WWW-Authenticate: Bearer'];

export class ConnectionEndpoint {
  /** The mapped path, as given (without a trailing slash). */
  readonly path: string;
  readonly options: ResolvedConnectionEndpointOptions;
  readonly #manager: ConnectionManager;
  readonly #transportsJson: string;
  readonly #webSockets: WebSocketServer;
  #closed = false;

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
    if (!allowed || this.#closed) {
      discardBody(req);
      respondText(res, this.#closed ? 503 : 405);
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
    socket.on('error', ignoreError);
    if (this.#closed) {
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
      this.#negotiate(req, res);
      return;
    }
    const token = queryValue(queryOf(req.url ?? ''), 'id');
    switch (req.method) {
      case 'POST':
        this.#send(req, res, token);
        return;
      case 'DELETE':
        discardBody(req);
        this.#delete(res, token);
        return;
      default:
        discardBody(req);
        if (req.headers.accept?.includes('text/event-stream') === true) this.#serverSentEvents(req, res, token, user);
        else this.#longPoll(req, res, token, user);
    }
  }

  #negotiate(req: IncomingMessage, res: ServerResponse): void {
    discardBody(req);
    const { minimumNegotiateVersion, allowStatefulReconnect } = this.options;
    const request = parseNegotiateQuery(queryOf(req.url ?? ''), minimumNegotiateVersion, allowStatefulReconnect);
    let body: string;
    if (request.ok) {
      const connection = this.#manager.create(request.version > 0, request.statefulReconnect);
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

  #serverSentEvents(req: IncomingMessage, res: ServerResponse, token: string | undefined, user: Principal | undefined): void {
    const connection = this.#lookup(res, token);
    if (connection === undefined || !this.#claim(connection, 'ServerSentEvents', res)) return;
    startServerSentEvents(connection, req, res, user);
  }

  #longPoll(req: IncomingMessage, res: ServerResponse, token: string | undefined, user: Principal | undefined): void {
    setNoCacheHeaders(res);
    const connection = this.#lookup(res, token);
    if (connection === undefined || !this.#claim(connection, 'LongPolling', res)) return;
    if (!connection.isStarted) {
      connection.start(new LongPollingSink(connection, this.options.longPollTimeoutMs), req, user);
      answerFirstPoll(connection, res);
      return;
    }
    // As the .NET server: the principal of the latest poll replaces the previous one.
    if (this.options.authenticate !== undefined) connection.user = user;
    (connection.sink as LongPollingSink).acceptPoll(res);
  }

  #send(req: IncomingMessage, res: ServerResponse, token: string | undefined): void {
    const connection = this.#lookup(res, token);
    if (connection === undefined) {
      discardBody(req);
      return;
    }
    if (connection.transportKind === 'WebSockets') {
      discardBody(req);
      respondText(res, 405, 'POST requests are not allowed for WebSocket connections.');
      return;
    }
    receiveSend(connection, req, res, this.options.maxRequestBodyBytes);
  }

  #delete(res: ServerResponse, token: string | undefined): void {
    const connection = this.#lookup(res, token);
    if (connection === undefined) return;
    if (connection.transportKind !== 'LongPolling') {
      respondText(res, 400, 'Cannot terminate this connection using the DELETE endpoint.');
      return;
    }
    // The pending poll (if any) is answered 204; the client then stops polling.
    connection.abort(undefined);
    respondText(res, 202);
  }

  /** The connection of `token`, or undefined after answering 400 (no id) or 404 (unknown id). */
  #lookup(res: ServerResponse, token: string | undefined): HttpConnection | undefined {
    if (token === undefined || token.length === 0) {
      respondText(res, 400, 'Connection ID required');
      return undefined;
    }
    const connection = this.#manager.get(token);
    if (connection === undefined) respondText(res, 404, 'No Connection with that ID');
    return connection;
  }

  /**
   * Binds `connection` to `kind` or explains why it cannot: 404 when this endpoint does not offer the
   * transport, 400 when the connection already uses another one, 409 when a persistent transport is
   * already active. Long polling may come back (every poll claims it again), and so may a WebSocket of
   * a resumable connection (stateful reconnect).
   */
  #claim(connection: HttpConnection, kind: TransportKind, res: ServerResponse): boolean {
    const status = this.#claimStatus(connection, kind);
    if (status === 0) return true;
    if (status === 404) respondText(res, 404, `${kind} transport not supported by this end point type`);
    else if (status === 400) respondText(res, 400, 'Cannot change transports mid-connection');
    else respondText(res, status);
    return false;
  }

  #claimStatus(connection: HttpConnection, kind: TransportKind): number {
    if (!this.options.transports.includes(kind)) return 404;
    const current = connection.transportKind;
    if (current === undefined) {
      connection.claimTransport(kind);
      return 0;
    }
    if (current !== kind) return 400;
    if (kind === 'LongPolling') return 0;
    // Stateful reconnect: a new WebSocket resumes the connection, even if the server has not yet seen
    // the old one fail (the client gave up on it), as .NET cancels the previous request.
    return kind === 'WebSockets' && connection.canResume ? 0 : 409;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, user: Principal | undefined): void {
    // The client may have gone while the hook ran; `ws` would then drop the socket without telling us.
    if (this.#closed || socket.destroyed || !socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    const token = queryValue(queryOf(req.url ?? ''), 'id');
    let connection: HttpConnection | undefined;
    if (token !== undefined && token.length > 0) {
      connection = this.#manager.get(token);
      if (connection === undefined) {
        rejectUpgrade(socket, 404, 'No Connection with that ID');
        return;
      }
    }
    if (!this.options.transports.includes('WebSockets')) {
      rejectUpgrade(socket, 404, 'WebSockets transport not supported by this end point type');
      return;
    }
    // Without an id the client skipped negotiation: a version-0 connection is created on the spot.
    connection ??= this.#manager.create(false, false);
    const status = this.#claimStatus(connection, 'WebSockets');
    if (status !== 0) {
      rejectUpgrade(socket, status, status === 400 ? 'Cannot change transports mid-connection' : '');
      return;
    }
    const claimed = connection;
    const resuming = claimed.isStarted;
    // If the handshake of a new connection fails (ws answers 400 and destroys the socket), the claimed
    // connection must go. A failed resume leaves the connection waiting for another attempt.
    const handshakeFailed = (): void => claimed.abort(new ConnectionsError(ConnectionsErrorCode.TransportFailed, 'The WebSocket handshake failed.'));
    if (!resuming) socket.once('close', handshakeFailed);
    this.#webSockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      socket.off('close', handshakeFailed);
      // The connection may have ended (or stopped being resumable) while the handshake ran.
      if (!resuming && !claimed.isEnded) claimed.start(new WebSocketSink(ws, claimed), req, user);
      else if (resuming && claimed.canResume) claimed.resumeTransport(new WebSocketSink(ws, claimed));
      else ws.terminate();
    });
  }
}

function ignoreError(): void {}
