/**
 * Test helpers: the server's end-to-end app (a real `node:http` server) with a `/metrics` route, and a
 * parsed scrape.
 */
import type * as signalR from '@microsoft/signalr';
import type { Switchyard, SwitchyardOptions, TransportKind } from '@switchyard/server';
import { officialClient as serverOfficialClient, startApp, type TestApp } from '@switchyard/server/test-support/e2e';
import { PrometheusInstrumentation } from '../prometheus-instrumentation.js';
import { metricsRequestHandler } from '../metrics-handler.js';

export interface MeteredApp extends TestApp {
  /** GET /metrics, parsed: `name{label="v",…}` (labels as printed) → value. */
  scrape(): Promise<Map<string, number>>;
}

export async function startMeteredApp(configure: (app: Switchyard) => void, options: SwitchyardOptions = {}): Promise<MeteredApp> {
  const metrics = new PrometheusInstrumentation();
  const serveMetrics = metricsRequestHandler(metrics.registry);
  const started = await startApp(configure, { ...options, instrumentation: metrics }, (req, res) => {
    if (req.url === '/metrics') return serveMetrics(req, res);
    res.writeHead(404, { 'Content-Length': 0 }).end();
  });
  return {
    ...started,
    async scrape() {
      const response = await fetch(`${started.baseUrl}/metrics`);
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return parseExposition(await response.text());
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
export function officialClient(url: string, transport: TransportKind): signalR.HubConnection {
  const connection = serverOfficialClient(url, transport, 'json');
  connection.keepAliveIntervalInMilliseconds = 60_000;
  connection.serverTimeoutInMilliseconds = 120_000;
  return connection;
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
