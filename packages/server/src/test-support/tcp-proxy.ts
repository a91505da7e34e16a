/**
 * A TCP proxy for network-failure tests: clients connect to the proxy, which pipes every connection to
 * the target. `cut()` destroys every piped pair at once: bytes in flight are lost and both ends see
 * their socket end without a WebSocket close frame, as after a network drop; `refuse` makes new connections fail, as while the
 * network stays down. Byte-transparent: HTTP, upgrades and WebSocket frames pass untouched.
 *
 * @example
 * const proxy = await startTcpProxy(server.baseUrl);
 * const connection = new HubConnectionBuilder().withUrl(`${proxy.baseUrl}/hub`).withStatefulReconnect().build();
 * …
 * proxy.cut();           // every socket through the proxy drops mid-traffic
 * await proxy.close();
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** `http://127.0.0.1:<proxy port>`: use it in place of the target's base URL. */
  readonly baseUrl: string;
  /** Client connections accepted so far (each WebSocket or HTTP keep-alive connection is one). */
  readonly accepted: number;
  /** Piped pairs open now. */
  readonly openPairs: number;
  /** While true, new client connections are destroyed at once (the reconnect attempt fails). */
  refuse: boolean;
  /**
   * Sends new client connections to another target (`http://host:port`), as a load balancer does once
   * a server leaves; pairs already open stay on the old target.
   */
  retarget(targetBaseUrl: string): void;
  /** Drops every open pair on both sides, mid-traffic, without any close handshake. */
  cut(): void;
  /** Cuts everything and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1, port 0, in front of `targetBaseUrl` (`http://host:port`). */
export async function startTcpProxy(targetBaseUrl: string): Promise<TcpProxy> {
  let target = new URL(targetBaseUrl);
  const pairs = new Set<readonly [Socket, Socket]>();
  let accepted = 0;
  let refuse = false;

  const server: Server = createServer((client) => {
    accepted++;
    client.on('error', ignore);
    if (refuse) {
      client.destroy();
      return;
    }
    // Nagle would hold back small frames; a proxy in a test must not change timing more than needed.
    client.setNoDelay(true);
    const upstream = connect(Number(target.port), target.hostname);
    upstream.setNoDelay(true);
    upstream.on('error', ignore);
    const pair = [client, upstream] as const;
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const cut = (): void => {
    for (const [client, upstream] of [...pairs]) {
      // Bytes in flight through the proxy are lost and both peers see their socket end without a
      // WebSocket close frame (1006). Not resetAndDestroy(): on Node 20 an RST on a socket with pending
      // writes can leave the process spinning at exit.
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get openPairs() {
      return pairs.size;
    },
    get refuse() {
      return refuse;
    },
    set refuse(value: boolean) {
      refuse = value;
    },
    retarget(url: string) {
      target = new URL(url);
    },
    cut,
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function ignore(): void {}
