/**
 * An HTTP forwarder in front of a real server that can refuse chosen transports, so fallback can be
 * tested against the real thing: WebSocket upgrades are answered 503, event streams 503, polls 503.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TransportKind } from '../transports/transport.js';

export interface HttpProxy {
  readonly baseUrl: string;
  /** Transports refused from now on. */
  readonly blocked: Set<TransportKind>;
  /** Paths of the negotiate requests seen. */
  readonly negotiates: string[];
  close(): Promise<void>;
}

export async function startHttpProxy(targetPort: number): Promise<HttpProxy> {
  const blocked = new Set<TransportKind>();
  const negotiates: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (req.url?.includes('/negotiate') === true) negotiates.push(req.url);
    if (transportOf(req) !== undefined && blocked.has(transportOf(req)!)) {
      req.resume();
      res.writeHead(503, { 'Content-Length': 0 }).end();
      return;
    }
    const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    blocked,
    negotiates,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Which transport a (non-upgrade) request belongs to; undefined for negotiate and sends. */
function transportOf(req: IncomingMessage): TransportKind | undefined {
  if (req.method !== 'GET' || req.url?.includes('/negotiate') === true) return undefined;
  return req.headers.accept === 'text/event-stream' ? 'ServerSentEvents' : 'LongPolling';
}
