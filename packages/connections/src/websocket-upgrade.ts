/**
 * The WebSocket upgrade of an endpoint, once routed and authenticated: a new connection (with a
 * negotiated token, or created on the spot for `skipNegotiation`), or stateful reconnect resuming one.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from './connection.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import type { HttpConnection } from './http-connection.js';
import { rejectUpgrade } from './http-responses.js';
import { queryOf, queryValue } from './request-target.js';
import { claimStatus, type TransportRequestContext } from './transport-requests.js';
import { WebSocketSink } from './transports/websocket.js';

/**
 * Keeps a socket error during authentication or the handshake from crashing the process. Removed once
 * `ws` owns the socket (it listens for errors itself): a listener array per connection is 64 bytes.
 */
export function ignoreSocketError(): void {}

/** Upgrades `socket`, or refuses it with the dispatcher's status (404 unknown id, 409 already active, …). */
export function acceptWebSocket(
  context: TransportRequestContext, webSockets: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, user: Principal | undefined,
): void {
  const token = queryValue(queryOf(req.url ?? ''), 'id');
  let connection: HttpConnection | undefined;
  if (token !== undefined && token.length > 0) {
    connection = context.manager.get(token);
    if (connection === undefined) {
      rejectUpgrade(socket, 404, 'No Connection with that ID');
      return;
    }
    if (!context.manager.guards.mayUse(connection, user, socket)) return;
  }
  if (!context.options.transports.includes('WebSockets')) {
    rejectUpgrade(socket, 404, 'WebSockets transport not supported by this end point type');
    return;
  }
  // Without an id the client skipped negotiation: a version-0 connection is created on the spot.
  if (connection === undefined) {
    if (!context.manager.guards.mayCreate(req, user, socket)) return;
    connection = context.manager.create(false, false);
    context.manager.guards.created(connection, req, user);
  }
  const status = claimStatus(context.options, connection, 'WebSockets');
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
  webSockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    socket.off('close', handshakeFailed);
    socket.off('error', ignoreSocketError);
    // The connection may have ended (or stopped being resumable) while the handshake ran.
    if (!resuming && !claimed.isEnded) claimed.start(new WebSocketSink(ws, socket, claimed), req, user);
    else if (resuming && claimed.canResume) claimed.resumeTransport(new WebSocketSink(ws, socket, claimed));
    else ws.terminate();
  });
}
