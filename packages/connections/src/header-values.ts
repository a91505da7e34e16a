/**
 * One string per distinct value of the request headers that repeat from client to client (Host,
 * Upgrade, Connection, the WebSocket version and extensions, User-Agent, Accept-*, Origin…). A
 * connection keeps the headers of the request that opened it for its whole life, and Node's parser
 * makes new strings for every request: with this, 10,000 connections from browsers of one kind hold
 * those values once rather than 10,000 times. Values are only swapped for equal strings, so nothing an
 * application can observe changes. Headers that differ per client (keys, cookies, credentials) are
 * left alone, and the table stops growing at {@link MAX_VALUES}.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Headers whose values are commonly the same across clients (lowercase, as Node names them). */
const SHARED_HEADERS = new Set([
  'host', 'connection', 'upgrade', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol',
  'user-agent', 'accept', 'accept-encoding', 'accept-language', 'origin', 'pragma', 'cache-control',
  'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform',
  'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port',
]);

/** Bounds the table: distinct values kept at most, and the longest value considered. */
export const MAX_VALUES = 1024;
const MAX_VALUE_LENGTH = 512;

const values = new Map<string, string>();
/**
 * Remote addresses, in a table of their own so that many distinct clients cannot crowd out the header
 * values. Behind a proxy or a NAT, and in load tests, thousands of connections share a few addresses.
 */
const addresses = new Map<string, string>();

/** The one string kept in `table` equal to `value` (adding it while the table has room). */
function shared(table: Map<string, string>, value: string): string {
  const kept = table.get(value);
  if (kept !== undefined) return kept;
  if (table.size < MAX_VALUES) table.set(value, value);
  return value;
}

/** Replaces, in place, the values of `headers` that repeat across clients with one shared string each. */
export function shareHeaderValues(headers: IncomingHttpHeaders): void {
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH || !SHARED_HEADERS.has(name)) continue;
    headers[name] = shared(values, value);
  }
}

/** The shared string equal to a socket's remote address (undefined once the socket is gone). */
export function shareRemoteAddress(address: string | undefined): string | undefined {
  return address === undefined ? undefined : shared(addresses, address);
}
