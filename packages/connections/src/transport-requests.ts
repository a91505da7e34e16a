/**
 * The transport requests of an endpoint, once routed and authenticated: the Server-Sent Events stream,
 * long polls, POST sends and DELETE, with the .NET dispatcher's status codes and texts, plus the claim
 * rules the WebSocket upgrade (websocket-upgrade.ts) shares.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal, TransportKind } from './connection.js';
import type { ConnectionManager } from './connection-manager.js';
import type { HttpConnection } from './http-connection.js';
import { discardBody, respondText } from './http-responses.js';
import type { ResolvedConnectionEndpointOptions } from './options.js';
import { answerFirstPoll, LongPollingSink, setNoCacheHeaders } from './transports/long-polling.js';
import { receiveSend } from './transports/send.js';
import { startServerSentEvents } from './transports/server-sent-events.js';

/** What the request handlers need from their endpoint. */
export interface TransportRequestContext {
  readonly manager: ConnectionManager;
  readonly options: ResolvedConnectionEndpointOptions;
}

/** GET with `Accept: text/event-stream`: opens the event stream of a negotiated connection. */
export function serveServerSentEvents(
  context: TransportRequestContext, req: IncomingMessage, res: ServerResponse, token: string | undefined, user: Principal | undefined,
): void {
  const connection = lookup(context, res, token);
  if (connection === undefined || !claim(context, connection, 'ServerSentEvents', res)) return;
  startServerSentEvents(connection, req, res, user);
}

/** Any other GET: the first poll starts the application, later ones wait for data. */
export function serveLongPoll(
  context: TransportRequestContext, req: IncomingMessage, res: ServerResponse, token: string | undefined, user: Principal | undefined,
): void {
  setNoCacheHeaders(res);
  const connection = lookup(context, res, token);
  if (connection === undefined || !claim(context, connection, 'LongPolling', res)) return;
  if (!connection.isStarted) {
    connection.start(new LongPollingSink(connection, context.options.longPollTimeoutMs), req, user);
    answerFirstPoll(connection, res);
    return;
  }
  // As the .NET server: the principal of the latest poll replaces the previous one.
  if (context.options.authenticate !== undefined) connection.user = user;
  (connection.sink as LongPollingSink).acceptPoll(res);
}

/** POST: client-to-server data of Server-Sent Events and long polling. */
export function serveSend(context: TransportRequestContext, req: IncomingMessage, res: ServerResponse, token: string | undefined): void {
  const connection = lookup(context, res, token);
  if (connection === undefined) {
    discardBody(req);
    return;
  }
  if (connection.transportKind === 'WebSockets') {
    discardBody(req);
    respondText(res, 405, 'POST requests are not allowed for WebSocket connections.');
    return;
  }
  receiveSend(connection, req, res, context.options.maxRequestBodyBytes);
}

/** DELETE: a long-polling client ends its connection. */
export function serveDelete(context: TransportRequestContext, res: ServerResponse, token: string | undefined): void {
  const connection = lookup(context, res, token);
  if (connection === undefined) return;
  if (connection.transportKind !== 'LongPolling') {
    respondText(res, 400, 'Cannot terminate this connection using the DELETE endpoint.');
    return;
  }
  // The pending poll (if any) is answered 204; the client then stops polling.
  connection.abort(undefined);
  respondText(res, 202);
}

/**
 * Binds `connection` to `kind` or says why it cannot: 0 when it may go on, 404 when the endpoint does
 * not offer the transport, 400 when the connection already uses another one, 409 when a persistent
 * transport is already active. Long polling may come back (every poll claims it again), and so may a
 * WebSocket of a resumable connection (stateful reconnect).
 */
export function claimStatus(options: ResolvedConnectionEndpointOptions, connection: HttpConnection, kind: TransportKind): number {
  if (!options.transports.includes(kind)) return 404;
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

/** The connection of `token`, or undefined after answering 400 (no id) or 404 (unknown id). */
function lookup(context: TransportRequestContext, res: ServerResponse, token: string | undefined): HttpConnection | undefined {
  if (token === undefined || token.length === 0) {
    respondText(res, 400, 'Connection ID required');
    return undefined;
  }
  const connection = context.manager.get(token);
  if (connection === undefined) respondText(res, 404, 'No Connection with that ID');
  return connection;
}

/** {@link claimStatus}, answering the request when the claim fails. */
function claim(context: TransportRequestContext, connection: HttpConnection, kind: TransportKind, res: ServerResponse): boolean {
  const status = claimStatus(context.options, connection, kind);
  if (status === 0) return true;
  if (status === 404) respondText(res, 404, `${kind} transport not supported by this end point type`);
  else if (status === 400) respondText(res, 400, 'Cannot change transports mid-connection');
  else respondText(res, status);
  return false;
}
