/**
 * CORS for browser clients on another origin. The official client sends `Authorization`,
 * `X-Requested-With`, `X-SignalR-User-Agent` and (for POST) `Content-Type`, and by default
 * `withCredentials: true`, which needs a concrete origin plus `Access-Control-Allow-Credentials: true`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';

export interface CorsOptions {
  /**
   * Allowed origins (`https://app.example.com`, compared case-insensitively), `'*'` for any, or a
   * predicate. A list or predicate also guards WebSocket upgrades: a mismatched `Origin` gets 403.
   */
  readonly origins: readonly string[] | '*' | ((origin: string) => boolean);
  /**
   * Allow cookies and HTTP auth: answers with the request's concrete origin and
   * `Access-Control-Allow-Credentials: true` (even when `origins` is `'*'`).
   * @default false
   */
  readonly credentials?: boolean;
  /** Request headers allowed in addition to the four the official client uses. @default [] */
  readonly allowedHeaders?: readonly string[];
  /** How long browsers may cache a preflight answer, in seconds. @default undefined (no header) */
  readonly maxAgeSeconds?: number;
}

const baseAllowedHeaders = ['Authorization', 'Content-Type', 'X-Requested-With', 'X-SignalR-User-Agent'];
const allowedMethods = 'GET, POST, DELETE, OPTIONS';
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The text of the 403 answer to a request from an origin outside the allow-list (docs/errors.md). */
export const ORIGIN_NOT_ALLOWED = 'Origin not allowed.';

/** {@link CorsOptions} validated and precomputed once per endpoint/router. */
export class CorsPolicy {
  readonly #options: CorsOptions;
  readonly #origins: ReadonlySet<string> | undefined;
  readonly #allowHeaders: string;

  /** Throws `ERR_CONNECTION_INVALID_OPTION` on malformed options. */
  constructor(options: CorsOptions) {
    const { origins } = options;
    if (origins !== '*' && typeof origins !== 'function' && !(Array.isArray(origins) && origins.every((o) => typeof o === 'string'))) {
      throw invalid("cors.origins must be a string array, '*' or a function");
    }
    const extra: readonly unknown[] = options.allowedHeaders ?? [];
    if (!Array.isArray(extra) || !extra.every((h) => typeof h === 'string' && headerName.test(h))) {
      throw invalid('cors.allowedHeaders must be header names');
    }
    if (options.maxAgeSeconds !== undefined && !(Number.isInteger(options.maxAgeSeconds) && options.maxAgeSeconds >= 0)) {
      throw invalid('cors.maxAgeSeconds must be a non-negative integer');
    }
    this.#options = options;
    this.#origins = Array.isArray(origins) ? new Set(origins.map((o) => o.toLowerCase())) : undefined;
    this.#allowHeaders = [...baseAllowedHeaders, ...(options.allowedHeaders ?? [])].join(', ');
  }

  #allows(origin: string): boolean {
    const { origins } = this.#options;
    if (origins === '*') return true;
    if (typeof origins === 'function') return origins(origin);
    return this.#origins!.has(origin.toLowerCase());
  }

  /**
   * Adds CORS headers to `res` for a request from an allowed origin. Returns true when the request was
   * a preflight and has been answered (204): the caller must not handle it further.
   */
  apply(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin !== undefined && this.#allows(origin)) {
      const credentials = this.#options.credentials === true;
      if (credentials || this.#options.origins !== '*') {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
      } else {
        res.setHeader('Access-Control-Allow-Origin', '*');
      }
      if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (preflight) {
        res.setHeader('Access-Control-Allow-Methods', allowedMethods);
        res.setHeader('Access-Control-Allow-Headers', this.#allowHeaders);
        if (this.#options.maxAgeSeconds !== undefined) res.setHeader('Access-Control-Max-Age', String(this.#options.maxAgeSeconds));
      }
    }
    if (!preflight) return false;
    // A refused preflight is still answered 204, only without the allow headers: the browser blocks it.
    req.resume();
    res.statusCode = 204;
    res.end();
    return true;
  }

  /**
   * False when a WebSocket upgrade comes from an origin outside an explicit allow-list. Requests without
   * an `Origin` header (non-browser clients) always pass; `'*'` allows everything.
   */
  allowsUpgrade(req: IncomingMessage): boolean {
    return this.allowsOrigin(req);
  }

  /**
   * False when a request carries an `Origin` outside an explicit allow-list. The router refuses those
   * with 403 on every route (negotiate, WebSocket upgrade, event stream, poll, send, DELETE), not only
   * by leaving out the CORS headers: browsers send credentials (cookies) with some of them and would
   * otherwise create or drive a connection before discarding the answer. Requests without `Origin`
   * (non-browser clients, same-origin GETs) pass; `'*'` allows everything.
   */
  allowsOrigin(req: IncomingMessage): boolean {
    if (this.#options.origins === '*') return true;
    const origin = req.headers.origin;
    return origin === undefined || this.#allows(origin);
  }
}

function invalid(message: string): ConnectionsError {
  return new ConnectionsError(ConnectionsErrorCode.InvalidOption, message);
}
