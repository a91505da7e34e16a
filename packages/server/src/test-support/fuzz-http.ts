/**
 * fast-check arbitraries for hostile HTTP requests, written byte for byte (no client library
 * normalises them): methods, request targets with broken query strings, header soups, bodies framed
 * honestly, chunked, or with a declared length the body never reaches.
 */
import fc from 'fast-check';

export type BodyFraming = 'length' | 'chunked' | 'bad-chunked' | 'short' | 'none';

export interface HttpCase {
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  readonly framing: BodyFraming;
  /** Write the request in this many pieces (the server reads partial headers and bodies). */
  readonly pieces: number;
  readonly keepAlive: boolean;
}

const methods = ['POST', 'GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD', 'TRACE', 'CONNECT', 'post', 'Get'];

export const method = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/) });

/** Query values: numbers of every shape, empty, huge, broken percent escapes, raw bytes. */
const queryValue = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom('', '0', '1', '2', '-1', '1.5', '1e3', '0x1', 'NaN', '99999999999999999999999', '%', '%zz', '%00', '%ff%fe', '%E2%82', 'true'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => s.replace(/[\s#]/g, '_')),
);
const queryKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('negotiateVersion', 'id', 'useStatefulReconnect', 'access_token', 'NEGOTIATEVERSION', 'user') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
);
export const query = fc
  .array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v, withValue]) => (withValue ? `${k}=${v}` : k)).join('&')}`));

/** Header lines: the ones the endpoint reads, with hostile values, plus random ones. */
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  fc.constantFrom('', 'text/plain', 'application/json', 'application/octet-stream', 'text/event-stream', 'multipart/form-data; boundary=', 'Bearer', 'Bearer ', 'Bearer a.b.c', 'websocket', 'Upgrade', 'gzip', 'null', '*'),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
);
const headerName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('content-type', 'authorization', 'accept', 'origin', 'x-requested-with', 'cookie', 'upgrade', 'connection', 'expect', 'content-encoding', 'x-signalr-user-agent', 'host') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/) },
);
export const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 });

export const body = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
  fc.constant(new Uint8Array(0)),
);

export const framing = fc.constantFrom<BodyFraming>('length', 'length', 'chunked', 'bad-chunked', 'short', 'none');

export function httpCase(targets: fc.Arbitrary<string>): fc.Arbitrary<HttpCase> {
  return fc.record({
    method,
    target: fc.tuple(targets, query).map(([path, q]) => path + q),
    headers,
    body,
    framing,
    pieces: fc.integer({ min: 1, max: 3 }),
    keepAlive: fc.boolean(),
  });
}

/** The request's bytes, split in `pieces` parts. */
export function encodeHttpCase(request: HttpCase): Uint8Array[] {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const content = Buffer.from(request.body);
  let payload: Buffer;
  switch (request.framing) {
    case 'length':
      lines.push(`Content-Length: ${content.length}`);
      payload = content;
      break;
    case 'short':
      // Declares far more than follows: the server must not wait for it forever, or hold memory for it.
      lines.push(`Content-Length: ${content.length + 1_000_000_000}`);
      payload = content;
      break;
    case 'chunked':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${content.length.toString(16)}\r\n`), content, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'bad-chunked':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from('fffffffffff\r\n'), content]);
      break;
    case 'none':
      payload = content;
      break;
  }
  lines.push(request.keepAlive ? 'Connection: keep-alive' : 'Connection: close');
  const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
  const parts: Uint8Array[] = [];
  const size = Math.ceil(bytes.length / request.pieces);
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return parts;
}
