/** A real `node:http` server on port 0 serving a router, for tests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionRouter } from '../router.js';
import { waitFor } from './wait.js';

export interface TestServer {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** `METHOD url` of every request the server received, in arrival order (after routing). */
  readonly seen: string[];
  /** Resolves once `count` requests matching `method` and `urlPart` have been routed. */
  arrived(method: string, urlPart: string, count?: number): Promise<void>;
  /** Closes the router, then every socket, then the server. */
  close(): Promise<void>;
}

export async function startServer(router: ConnectionRouter): Promise<TestServer> {
  const server = createServer();
  router.attach(server);
  const seen: string[] = [];
  // Listeners added after attach run after the router's: a request seen here was already routed.
  server.on('request', (req) => seen.push(`${req.method} ${req.url}`));
  server.on('upgrade', (req) => seen.push(`UPGRADE ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    arrived: (method, urlPart, count = 1) =>
      waitFor(() => seen.filter((line) => line.startsWith(`${method} `) && line.includes(urlPart)).length >= count, `${method} ${urlPart}`),
    async close() {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
