import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP load balancer in front of several servers, playing what a real one with health checks does:
 * each client connection goes to the first backend in preference order that accepts it, and dies
 * with that backend. Every connection of one client lands on the same live server (sticky), so
 * negotiate, the WebSocket, SSE and long polls all stay together until that server dies.
 */
export class FailoverProxy {
  readonly #server: Server;
  readonly #backends: readonly number[];
  readonly #sockets = new Set<Socket>();
  /** The backend port of every connection made so far, in order. */
  readonly routed: number[] = [];

  private constructor(server: Server, backends: readonly number[]) {
    this.#server = server;
    this.#backends = backends;
    server.on('connection', (client) => this.#route(client));
  }

  /** Listens on a free local port, forwarding to `backendPorts` in that order of preference. */
  static async start(backendPorts: readonly number[]): Promise<FailoverProxy> {
    const proxy = new FailoverProxy(createServer(), backendPorts);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  /** Cuts every connection made so far (as a network failure would) and keeps accepting new ones. */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #route(client: Socket): void {
    this.#sockets.add(client);
    client.once('close', () => this.#sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    this.#connect(client, 0);
  }

  /** Tries backend `attempt`, then the next one when it refuses. */
  #connect(client: Socket, attempt: number): void {
    const port = this.#backends[attempt];
    if (port === undefined || client.destroyed) {
      client.destroy();
      return;
    }
    let connected = false;
    const upstream = createConnection({ port, host: '127.0.0.1' });
    upstream.once('error', () => {
      upstream.destroy();
      if (connected) client.destroy();
      else this.#connect(client, attempt + 1);
    });
    upstream.once('connect', () => {
      connected = true;
      this.routed.push(port);
      this.#sockets.add(upstream);
      upstream.once('close', () => {
        this.#sockets.delete(upstream);
        client.destroy();
      });
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
