/**
 * The few response shapes the dispatcher writes, for normal requests and for refused WebSocket upgrades
 * (where only the raw socket exists). Bodies are short ASCII texts copied from the .NET server.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Answers `status` with a `text/plain` body (possibly empty), as the .NET dispatcher does. */
export function respondText(res: ServerResponse, status: number, text = ''): void {
  if (res.headersSent || res.writableEnded) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** Answers an authentication failure: empty body (clients then report the status text, "Unauthorized"). */
export function respondDenied(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.statusCode = status;
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.setHeader('Content-Length', 0);
  res.end();
}

/** Lets the request body drain so keep-alive works even though it is not read (negotiate, GET, DELETE). */
export function discardBody(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}

/**
 * How long a refused upgrade's socket may stay open after the answer, for the client to read it and
 * close. Past that it is destroyed: a client that never closes must not hold a socket forever.
 */
const REFUSED_UPGRADE_LINGER_MS = 2000;

/**
 * Refuses a WebSocket upgrade with a plain HTTP response on the raw socket, then closes it.
 * `text` is the body (text/plain); `extraHeaders` are complete header lines.
 */
export function rejectUpgrade(socket: Duplex, status: number, text = '', extraHeaders: readonly string[] = []): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: text/plain',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...extraHeaders,
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
  // Read on, discarding: frames the client sent after its request, then its FIN, which (our side
  // having ended) closes the socket. Unread, the FIN never arrives and the socket is never freed.
  socket.resume();
  const linger = setTimeout(() => socket.destroy(), REFUSED_UPGRADE_LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}
