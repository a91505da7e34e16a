/** A real `node:http` server on port 0 serving a router, for tests. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConnectionRouter } from '../router.js';

export interface TestServer {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Closes the router, then every socket, then the server. */
  close(): Promise<void>;
}

export async function startServer(router: ConnectionRouter): Promise<TestServer> {
  const server = createServer();
  router.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
