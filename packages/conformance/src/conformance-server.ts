import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { Hub, JsonHubProtocol, Switchyard, redactUrl, type Backplane, type Logger } from '@switchyard/server';
import { metricsRequestHandler, PrometheusInstrumentation } from '@switchyard/metrics';
import { MessagePackHubProtocol } from '@switchyard/protocol-msgpack';
import { AuthorizedHub } from './authorized-hub.js';
import { InvalidOperationException } from './exceptions.js';
import { createSelfSignedCertificate } from './self-signed-certificate.js';
import { ScaleoutHub, scaleoutHubOptions } from './scaleout-hub.js';
import { createTestAuthority } from './test-authority.js';
import { TestHub } from './test-hub.js';
import { TestRoutes } from './test-routes.js';

/** Options for {@link startConformanceServer}. */
export interface ConformanceServerOptions {
  /** Port of the plain-http listener; 0 picks a free one. */
  readonly port: number;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Port of an optional https listener (self-signed certificate made at startup); 0 picks a free one.
   * @default undefined (no https listener)
   */
  readonly httpsPort?: number;
  /**
   * Where the server logs. At debug level every request is logged (method and URL, tokens redacted).
   * @default undefined (silent)
   */
  readonly logger?: Logger;
  /**
   * Scale-out: several conformance servers on one backplane act as one site (see `/scaleouthub`).
   * The server does not close it.
   * @default undefined (this process only)
   */
  readonly backplane?: Backplane;
}

/** A running conformance server. */
export interface ConformanceServer {
  /** Base URL of the http listener, no trailing slash: the second half of `SERVER_URL`. */
  readonly url: string;
  /** Base URL of the https listener, when one was asked for: the first half of `SERVER_URL`. */
  readonly httpsUrl: string | undefined;
  readonly app: Switchyard;
  /** The app's Prometheus metrics, also served at `GET /metrics`. */
  readonly metrics: PrometheusInstrumentation;
  /** Closes every hub connection gracefully, then both listeners. */
  close(): Promise<void>;
}

/**
 * Mirrors `UncreatableHub`: its .NET twin cannot be constructed, so every connection fails at
 * connect time with the DI error. Only the (permanently skipped) "hub cannot be created" test uses it.
 */
class UncreatableHub extends Hub {
  override onConnected(): Promise<void> {
    return Promise.reject(
      new InvalidOperationException(
        "Unable to resolve service for type 'System.Object' while attempting to activate 'FunctionalTests.UncreatableHub'.",
      ),
    );
  }
}

/**
 * Starts a server that answers like the ASP.NET Core SignalR functional-test app
 * (`src/SignalR/clients/ts/FunctionalTests`), so the official client suite can run against Switchyard.
 */
export async function startConformanceServer(options: ConformanceServerOptions): Promise<ConformanceServer> {
  const host = options.host ?? '127.0.0.1';
  const authority = createTestAuthority();
  const metrics = new PrometheusInstrumentation();
  const serveMetrics = metricsRequestHandler(metrics.registry);
  const logger = options.logger;
  const app = new Switchyard({
    instrumentation: metrics,
    protocols: [new JsonHubProtocol(), new MessagePackHubProtocol()],
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.backplane === undefined ? {} : { backplane: options.backplane }),
  });
  const hubOptions = { enableDetailedErrors: true } as const;
  app.mapHub('/testhub', TestHub, hubOptions);
  app.mapHub('/testhub-nowebsockets', TestHub, { ...hubOptions, transports: ['ServerSentEvents', 'LongPolling'] });
  app.mapHub('/uncreatable', UncreatableHub, hubOptions);
  app.mapHub('/scaleouthub', ScaleoutHub, scaleoutHubOptions);
  app.mapHub('/authorizedhub', AuthorizedHub, {
    ...hubOptions,
    authenticate: (request: IncomingMessage) => authority.authenticate(request),
    requireAuthentication: true,
  });
  // The reference EchoConnectionHandler: every inbound chunk goes back unchanged.
  app.mapConnection('/echo', (connection) => ({
    onData(data) {
      connection.send(data);
    },
    onClose() {},
  }));

  const testHub = app.hubContext(TestHub);
  const routes = new TestRoutes({
    authority,
    invokeClientResult: (connectionId) => testHub.clients.client(connectionId).invoke<number>('Result'),
  });
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    logger?.debug({ method: req.method, url: redactUrl(req.url ?? '') }, 'request');
    if (routes.handle(req, res)) return;
    if (app.handleRequest(req, res)) return;
    if (req.url === '/metrics') return serveMetrics(req, res);
    res.writeHead(404, { 'Content-Length': 0 }).end();
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    logger?.debug({ method: req.method, url: redactUrl(req.url ?? ''), upgrade: req.headers.upgrade }, 'upgrade request');
    if (app.handleUpgrade(req, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  };

  const servers: Server[] = [];
  const listen = async (server: Server, port: number): Promise<number> => {
    server.on('request', onRequest);
    server.on('upgrade', onUpgrade);
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  };

  const close = async (): Promise<void> => {
    await app.close();
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections(); // idle keep-alive sockets would hold close() open
          }),
      ),
    );
  };

  try {
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const url = `http://${urlHost}:${await listen(createHttpServer(), options.port)}`;
    let httpsUrl: string | undefined;
    if (options.httpsPort !== undefined) {
      const httpsServer = createHttpsServer(createSelfSignedCertificate());
      httpsUrl = `https://${urlHost}:${await listen(httpsServer, options.httpsPort)}`;
    }
    return { url, httpsUrl, app, metrics, close };
  } catch (error) {
    await close();
    throw error;
  }
}
