import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { TestAuthority } from './test-authority.js';

/** What the plain-HTTP routes need from the rest of the server. */
export interface TestRouteContext {
  readonly authority: TestAuthority;
  /** Invokes client method `Result` on a `/testhub` connection and waits for its answer. */
  invokeClientResult(connectionId: string): Promise<unknown>;
}

/**
 * The reference server's middleware and plain endpoints, in its pipeline order: CORS, the
 * `/echoredirect` and `/redirect` responders, the `/negotiate` cookies, `/bad-negotiate`, then the
 * GET endpoints. Returns true when the request was answered here; false means "not mine" (the hub
 * endpoints come next; the cookies may already be set on `res`).
 */
export class TestRoutes {
  readonly #context: TestRouteContext;
  /** Server-wide, like the reference server's field: the redirect test asserts that it grows. */
  #numRedirects = 0;

  constructor(context: TestRouteContext) {
    this.#context = context;
  }

  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const lowerPath = path.toLowerCase();

    if (applyCors(req, res)) return true;

    if (startsWithSegment(lowerPath, '/echoredirect')) {
      // Temporary and method-preserving, as `Response.Redirect(url, false, true)`: 307.
      res.writeHead(307, { Location: path.replace(/echoredirect/gi, 'echo') + url.search }).end();
      return true;
    }

    if (startsWithSegment(lowerPath, '/redirect')) {
      this.#numRedirects += 1;
      const target = `${url.searchParams.get('baseUrl') ?? ''}/testHub?numRedirects=${this.#numRedirects}`;
      sendText(res, 200, JSON.stringify({ url: target }), 'application/json; charset=utf-8');
      return true;
    }

    // Ordinal and case-sensitive, like the reference server's `Path.Value.Contains("/negotiate")`.
    if (path.includes('/negotiate')) setNegotiateCookies(res, isHttps(req));

    if (startsWithSegment(lowerPath, '/bad-negotiate')) {
      sendText(res, 400, 'Some response from server');
      return true;
    }

    if (lowerPath === '/generatejwttoken') {
      if (!allowGet(req, res)) return true;
      this.#context.authority.issueToken().then(
        (token) => sendText(res, 200, token),
        (error: unknown) => sendText(res, 500, errorText(error)),
      );
      return true;
    }

    const clientResult = /^\/clientresult\/([^/]+)$/.exec(lowerPath);
    if (clientResult !== null) {
      if (!allowGet(req, res)) return true;
      // Take the id from the original path: connection ids are case-sensitive.
      const connectionId = decodeSegment(path.slice('/clientresult/'.length));
      // Always 200, the error text as the body: the test reads `response.content` either way.
      this.#context.invokeClientResult(connectionId).then(
        (result) => sendText(res, 200, String(result)),
        (error: unknown) => sendText(res, 200, errorText(error)),
      );
      return true;
    }

    if (lowerPath === '/deployment') {
      if (!allowGet(req, res)) return true;
      const info = {
        Server: '@switchyard/conformance',
        Mirrors: 'dotnet/aspnetcore src/SignalR/clients/ts/FunctionalTests',
        Node: process.version,
      };
      sendText(res, 200, JSON.stringify(info), 'application/json; charset=utf-8');
      return true;
    }

    return false;
  }
}

/**
 * The reference server's permissive test CORS: echo the Origin with credentials allowed (which no
 * real server should do), echo the preflight's requested method and headers, and answer every
 * OPTIONS with 204. Returns true when the request was answered.
 */
function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== '') {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    const method = req.headers['access-control-request-method'];
    if (method !== undefined && method !== '') res.setHeader('Access-Control-Allow-Methods', method);
    const headers = req.headers['access-control-request-headers'];
    if (headers !== undefined && headers !== '') res.setHeader('Access-Control-Allow-Headers', headers);
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return true;
  }
  return false;
}

/**
 * Cookies for the "preserves cookies" / "expired cookies" tests. On https they are
 * `SameSite=None; Secure; Partitioned` (Chromium needs that cross-site); on plain http they carry no
 * Secure flag, or a cookie jar would never send them back.
 */
function setNegotiateCookies(res: ServerResponse, https: boolean): void {
  const attributes = https ? '; path=/; secure; samesite=none; partitioned' : '; path=/';
  const anHourAgo = new Date(Date.now() - 3_600_000).toUTCString();
  const cookies = [
    `testCookie=testValue${attributes}`,
    `testCookie2=testValue2${attributes}`,
    `expiredCookie=doesntmatter; expires=${anHourAgo}${attributes}`,
  ];
  const existing = res.getHeader('Set-Cookie');
  const previous = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...previous, ...cookies]);
}

/** ASP.NET Core's `PathString.StartsWithSegments`, on an already lower-cased path. */
function startsWithSegment(lowerPath: string, segment: string): boolean {
  return lowerPath === segment || lowerPath.startsWith(`${segment}/`);
}

function isHttps(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

/** The reference endpoints are `MapGet`: anything else is 405. */
function allowGet(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
  return false;
}

function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes: use it as sent (it will match no connection)
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
