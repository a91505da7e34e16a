import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Switchyard, JsonHubProtocol, type Backplane, type Logger } from '@switchyard/server';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { metricsRequestHandler, type PrometheusInstrumentation } from '@switchyard/metrics';
import { DemoInstrumentation } from './demo-instrumentation.js';
import { backplaneKind, createBackplane } from '@switchyard/conformance';
import { createDemoHub } from './demo-hub.js';
import { DemoSite } from './demo-site.js';
import { backplaneSiteBus, localSiteBus } from './site-bus.js';
import { staticFiles } from './static-files.js';

/** Where `npm run build` puts the web app (Vite's output). */
export const WEB_ROOT = fileURLToPath(new URL('./web/', import.meta.url));
export const HUB_PATH = '/hubs/demo';
const MAX_NAME_LENGTH = 24;

export interface DemoServerOptions {
  /** 0 for any free port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** `redis://…` or `nats://…`: share everything with the other servers on that broker. @default undefined (this process only) */
  readonly backplaneUrl?: string;
  /** Keeps demos sharing one broker apart (Redis channel prefix, NATS subject prefix). */
  readonly channelPrefix?: string;
  readonly logger?: Logger;
}

export interface DemoServer {
  readonly server: Server;
  readonly app: Switchyard;
  /** The app's Prometheus metrics, also served at `GET /metrics`. */
  readonly metrics: PrometheusInstrumentation;
  readonly url: string;
  /** Names this process in the page (its port). */
  readonly instance: string;
  close(): Promise<void>;
}

/** Starts the demo: the web app and its hub, on the single-process default or on a backplane. */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  let backplane: { backplane: Backplane; kind: string } | undefined;
  if (options.backplaneUrl !== undefined) {
    const kind = backplaneKind(options.backplaneUrl);
    backplane = { kind, backplane: await createBackplane(options.backplaneUrl, options.logger, options.channelPrefix) };
  }

  // Listen first: the instance is named after its port. The handlers are added in the same tick as
  // the app is made, before any request can be read.
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await backplane?.backplane.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const instance = `:${port}`;

  const logError = (error: unknown): void => options.logger?.warn(`Demo site bus: ${String(error)}`);
  const site = new DemoSite(instance, backplane === undefined ? localSiteBus() : backplaneSiteBus(backplane.backplane, logError));
  const metrics = new DemoInstrumentation(site.stats);
  const serveMetrics = metricsRequestHandler(metrics.registry);
  const demoApp = new Switchyard({
    instrumentation: metrics,
    protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()],
    ...(backplane === undefined ? {} : { backplane: backplane.backplane }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const DemoHub = createDemoHub(site, backplane?.kind ?? 'none');
  demoApp.mapHub(HUB_PATH, DemoHub, {
    allowStatefulReconnect: true,
    userIdProvider: (connection) => userName(connection.request.url.searchParams.get('user')),
  });
  const serveFile = staticFiles(WEB_ROOT);
  server.on('request', (req, res) => {
    if (demoApp.handleRequest(req, res)) return;
    if (req.url === '/metrics') serveMetrics(req, res);
    else void serveFile(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (!demoApp.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await site.start(demoApp.hubContext(DemoHub));

  return {
    server,
    app: demoApp,
    metrics,
    url: `http://${host}:${port}`,
    instance,
    async close() {
      await demoApp.close();
      await site.close();
      await backplane?.backplane.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The user name a page asked for, trimmed and bounded; `guest` when it gave none. */
function userName(raw: string | null): string {
  const name = (raw ?? '').trim().slice(0, MAX_NAME_LENGTH);
  return name === '' ? 'guest' : name;
}
