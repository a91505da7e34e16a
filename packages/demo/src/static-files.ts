import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/**
 * Serves the web app Vite built into `root` (`/` is `index.html`). Hashed files under `/assets/`
 * are cached for good; the page itself never, so a rebuild shows at once.
 */
export function staticFiles(root: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const path = normalize(join(base, pathname === '/' ? 'index.html' : pathname));
    const type = TYPES[extname(path)];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !path.startsWith(base) || type === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      const missingApp = pathname === '/';
      res.writeHead(missingApp ? 500 : 404, { 'Content-Type': 'text/plain' })
        .end(missingApp ? 'The web app is not built: run `npm run build` at the repository root.' : 'Not found');
      return;
    }
    const cache = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': cache });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
