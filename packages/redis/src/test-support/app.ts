import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as signalR from '@microsoft/signalr';
import { Switchyard, type SwitchyardOptions } from '@switchyard/server';

export interface RunningApp {
  readonly app: Switchyard;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** A Switchyard app on a real http server, port 0. */
export async function startApp(options: SwitchyardOptions, configure: (app: Switchyard) => void): Promise<RunningApp> {
  const app = new Switchyard(options);
  configure(app);
  const server: Server = createServer();
  app.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An official client (WebSockets, JSON, no logging), started. */
export async function connectOfficial(url: string): Promise<signalR.HubConnection> {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(url, { transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.None)
    .build();
  await connection.start();
  return connection;
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
