/** End-to-end helpers: a Switchyard app on a real `node:http` server, and official clients pointed at it. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol as OfficialMessagePack } from '@microsoft/signalr-protocol-msgpack';
import type { TransportKind } from '@switchyard/connections';
import { JsonHubProtocol } from '@switchyard/protocol';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { Switchyard, type SwitchyardOptions } from '../switchyard.js';

export type { TransportKind };
export type ProtocolName = 'json' | 'messagepack';

export interface TestApp {
  readonly app: Switchyard;
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts an app with JSON and MessagePack on port 0. `otherRequests` answers what the app does not
 * handle (without it: 404), e.g. a `/metrics` route.
 */
export async function startApp(configure: (app: Switchyard) => void, options: SwitchyardOptions = {}, otherRequests?: RequestListener): Promise<TestApp> {
  const app = new Switchyard({ protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()], ...options });
  configure(app);
  const server = createServer(otherRequests);
  app.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ClientOptions {
  accessTokenFactory?: () => string | Promise<string>;
  skipNegotiation?: boolean;
}

/** An official HubConnection (not started) for one transport and protocol. */
export function officialClient(url: string, transport: TransportKind, protocol: ProtocolName, options: ClientOptions = {}): signalR.HubConnection {
  return new signalR.HubConnectionBuilder()
    .withUrl(url, { transport: signalR.HttpTransportType[transport], ...options })
    .withHubProtocol(protocol === 'json' ? new signalR.JsonHubProtocol() : new OfficialMessagePack())
    .configureLogging(signalR.LogLevel.None)
    .build();
}

/** Every transport × protocol the official client can combine (MessagePack is binary: never SSE). */
export const transportMatrix: ReadonlyArray<readonly [TransportKind, ProtocolName]> = [
  ['WebSockets', 'json'],
  ['WebSockets', 'messagepack'],
  ['ServerSentEvents', 'json'],
  ['LongPolling', 'json'],
  ['LongPolling', 'messagepack'],
];

/** Resolves with the next value passed to the returned callback. */
export function nextCall<T = unknown>(): { callback: (...args: unknown[]) => void; next: Promise<T[]> } {
  let resolve!: (args: T[]) => void;
  const next = new Promise<T[]>((r) => (resolve = r));
  return { callback: (...args: unknown[]) => resolve(args as T[]), next };
}
