/** A Switchyard app serving the test hub on a real `node:http` server, plus our client wired for Node. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { JsonHubProtocol, Switchyard, type MapHubOptions } from '@switchyard/server';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { HubConnection } from '../hub-connection.js';
import type { HubConnectionOptions } from '../options.js';
import type { TransportKind } from '../transports/transport.js';
import { createTestHub, HubRecorder, type TestContract } from './test-contract.js';

export type ProtocolName = 'json' | 'messagepack';

/** Every transport × protocol (MessagePack is binary: never over Server-Sent Events). */
export const matrix: ReadonlyArray<readonly [TransportKind, ProtocolName]> = [
  ['WebSockets', 'json'],
  ['WebSockets', 'messagepack'],
  ['ServerSentEvents', 'json'],
  ['LongPolling', 'json'],
  ['LongPolling', 'messagepack'],
];

export interface TestServer {
  readonly app: Switchyard;
  readonly server: Server;
  readonly recorder: HubRecorder;
  readonly port: number;
  /** `http://127.0.0.1:<port>/hub` */
  readonly hubUrl: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  readonly hubOptions?: MapHubOptions;
  readonly recorder?: HubRecorder;
  /** Serves what the hub does not (pages, scripts); must answer every request it gets. */
  readonly otherRequests?: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const recorder = options.recorder ?? new HubRecorder();
  const app = new Switchyard({ protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()] });
  app.mapHub('/hub', createTestHub(recorder), { enableDetailedErrors: true, ...options.hubOptions });
  // Listeners registered before attach() get every request that is not the hub's.
  const server = createServer(options.otherRequests);
  app.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    recorder,
    port,
    hubUrl: `http://127.0.0.1:${port}/hub`,
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Our client for Node (the `ws` WebSocket), on one transport and protocol. */
export function createClient(
  url: string,
  transport: TransportKind | readonly TransportKind[],
  protocol: ProtocolName = 'json',
  options: Partial<HubConnectionOptions> = {},
): HubConnection<TestContract> {
  return new HubConnection<TestContract>({
    url,
    transport,
    WebSocket,
    ...(protocol === 'messagepack' ? { protocol: new MessagePackHubProtocol() } : {}),
    ...options,
  });
}

/** Resolves with the arguments of the next call of the returned callback. */
export function nextCall<TArgs extends unknown[]>(): { readonly callback: (...args: TArgs) => void; readonly next: Promise<TArgs> } {
  let resolve!: (args: TArgs) => void;
  const next = new Promise<TArgs>((r) => (resolve = r));
  return { callback: (...args: TArgs) => resolve(args), next };
}
