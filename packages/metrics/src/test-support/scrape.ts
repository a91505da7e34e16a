/** Test helpers: an app with a `/metrics` route on a real `node:http` server, and a parsed scrape. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as signalR from '@microsoft/signalr';
import { Switchyard, type SwitchyardOptions } from '@switchyard/server';
import { PrometheusInstrumentation } from '../prometheus-instrumentation.js';
import { metricsRequestHandler } from '../metrics-handler.js';

export type TransportName = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

export interface MeteredApp {
  readonly app: Switchyard;
  readonly baseUrl: string;
  /** GET /metrics, parsed: `name{label="v",…}` (labels as printed) → value. */
  scrape(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

export async function startMeteredApp(configure: (app: Switchyard) => void, options: SwitchyardOptions = {}): Promise<MeteredApp> {
  const metrics = new PrometheusInstrumentation();
  const app = new Switchyard({ ...options, instrumentation: metrics });
  configure(app);
  const serveMetrics = metricsRequestHandler(metrics.registry);
  const server: Server = createServer((req, res) => {
    if (app.handleRequest(req, res)) return;
    if (req.url === '/metrics') return serveMetrics(req, res);
    res.writeHead(404, { 'Content-Length': 0 }).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!app.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app,
    baseUrl,
    async scrape() {
      const response = await fetch(`${baseUrl}/metrics`);
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return parseExposition(await response.text());
    },
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Prometheus text format's sample lines, keyed by everything before the value. */
export function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** An official client with keep-alive pings pushed out of the test's way, so message counts are exact. */
export function officialClient(url: string, transport: TransportName): signalR.HubConnection {
  return new signalR.HubConnectionBuilder()
    .withUrl(url, { transport: signalR.HttpTransportType[transport] })
    .withKeepAliveInterval(60_000)
    .withServerTimeout(120_000)
    .configureLogging(signalR.LogLevel.None)
    .build();
}

/**
 * Scrapes until `check` holds (the server finishes a close after the client's stop resolves); fails
 * after 20 s so a broken counter fails the test instead of hanging the run.
 */
export async function scrapeUntil(app: MeteredApp, check: (samples: Map<string, number>) => boolean): Promise<Map<string, number>> {
  const giveUpAt = Date.now() + 20_000;
  for (;;) {
    const samples = await app.scrape();
    if (check(samples)) return samples;
    if (Date.now() > giveUpAt) throw new Error(`the scrape never matched; last one:\n${[...samples].map(([k, v]) => `${k} ${v}`).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
