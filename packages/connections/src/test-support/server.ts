/** A real `node:http` server on port 0 serving a router, for tests. */
import { createServer, type Server, type ServerResponse } from 'node:http';
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
  /**
   * Closes the router, then every socket, then the server. Rejects (after closing everything) when a
   * request was still unanswered when the test called it: a client left running or a poll left waiting
   * for its timeout, which would make a test slow or leave work behind.
   */
  close(): Promise<void>;
}

export async function startServer(router: ConnectionRouter): Promise<TestServer> {
  const server = createServer();
  router.attach(server);
  const seen: string[] = [];
  // Listeners added after attach run after the router's: a request seen here was already routed.
  const unanswered = new Map<ServerResponse, string>();
  server.on('request', (req, res) => {
    const line = `${req.method} ${req.url}`;
    seen.push(line);
    unanswered.set(res, line);
    res.once('close', () => unanswered.delete(res));
  });
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
      const leftOpen = [...unanswered].filter(([res]) => !res.writableEnded).map(([, line]) => line);
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (leftOpen.length > 0) throw new Error(`requests still open when the test ended: ${leftOpen.join(', ')}`);
    },
  };
}
