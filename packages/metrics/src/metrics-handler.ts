/**
 * The scrape endpoint: a plain `node:http` handler, so it mounts next to a Switchyard app on the same
 * server (or on a separate, internal port) without a framework.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * Answers GET (and HEAD) with the registry's metrics in the Prometheus text format, 405 to anything
 * else, 500 if a collector fails. It does not check the path: route to it yourself.
 *
 * @example
 * const serveMetrics = metricsRequestHandler(metrics.registry);
 * server.on('request', (req, res) => {
 *   if (app.handleRequest(req, res)) return;
 *   if (req.url === '/metrics') return serveMetrics(req, res);
 *   res.writeHead(404).end();
 * });
 */
export function metricsRequestHandler(registry: Registry): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
      return;
    }
    registry.metrics().then(
      (text) => {
        const body = Buffer.from(text);
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(500, { 'Content-Length': 0 }).end();
      },
    );
  };
}
