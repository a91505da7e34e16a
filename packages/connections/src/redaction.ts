/**
 * Secrets that travel in request targets and headers, masked for logs: the access token (query
 * `access_token`, which browsers must use for WebSockets and SSE; the `Authorization` header), the
 * connection token (query `id`, the secret that lets its holder send and receive as the connection) and
 * cookies. Use these wherever a URL or headers might be logged; a connection's `request` already
 * serializes through them (JSON and `util.inspect`).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

const secretQueryKeys = new Set(['access_token', 'id']);
const secretHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * The request target (`/chat?id=…&access_token=…`) or URL with the values of `access_token` and `id`
 * replaced by `[redacted]`; everything else is kept as written.
 */
export function redactUrl(url: string | URL): string {
  const text = typeof url === 'string' ? url : url.href;
  const query = text.indexOf('?');
  if (query < 0) return text;
  const hash = text.indexOf('#', query);
  const end = hash < 0 ? text.length : hash;
  const parameters = text.slice(query + 1, end).split('&').map((pair) => {
    const equals = pair.indexOf('=');
    const key = equals < 0 ? pair : pair.slice(0, equals);
    let name: string;
    try {
      name = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      name = key;
    }
    return secretQueryKeys.has(name.toLowerCase()) ? `${key}=${REDACTED}` : pair;
  });
  return `${text.slice(0, query + 1)}${parameters.join('&')}${text.slice(end)}`;
}

/** A copy of `headers` with Authorization, Proxy-Authorization, Cookie and Set-Cookie masked. */
export function redactHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) copy[name] = secretHeaders.has(name.toLowerCase()) ? REDACTED : value;
  return copy;
}
