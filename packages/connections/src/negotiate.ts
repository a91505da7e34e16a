/**
 * The negotiate exchange (`POST {path}/negotiate`): version selection and the exact response body the
 * official client parses. Field order follows the .NET server's `NegotiateProtocol`:
 * `useStatefulReconnect` (only when true), `negotiateVersion`, `connectionId`, `connectionToken`
 * (version ≥ 1 only), `availableTransports` (WebSockets, ServerSentEvents, LongPolling).
 */
import type { TransportKind } from './connection.js';
import { queryValue } from './request-target.js';

/** Highest negotiate version this server speaks. */
export const maxNegotiateVersion = 1;

const transportEntries: Readonly<Record<TransportKind, string>> = {
  WebSockets: '{"transport":"WebSockets","transferFormats":["Text","Binary"]}',
  ServerSentEvents: '{"transport":"ServerSentEvents","transferFormats":["Text"]}',
  LongPolling: '{"transport":"LongPolling","transferFormats":["Text","Binary"]}',
};

/** The `availableTransports` JSON array for `transports` (computed once per endpoint). */
export function availableTransportsJson(transports: readonly TransportKind[]): string {
  return `[${transports.map((t) => transportEntries[t]).join(',')}]`;
}

/** What a negotiate query asks for: the version to answer with, or the error text to send. */
export type NegotiateRequest =
  | { readonly ok: true; readonly version: number; readonly statefulReconnect: boolean }
  | { readonly ok: false; readonly error: string };

/**
 * Reads `negotiateVersion` and `useStatefulReconnect` (keys case-insensitive) from a query string.
 * Missing version = 0; above the server's maximum = the maximum; below `minimumVersion` or not an
 * integer = an error, with the .NET server's texts.
 */
export function parseNegotiateQuery(query: string, minimumVersion: number, allowStatefulReconnect: boolean): NegotiateRequest {
  const raw = queryValue(query, 'negotiateversion');
  let version = 0;
  if (raw !== undefined) {
    // int.TryParse semantics: optional surrounding whitespace and sign, decimal digits, 32-bit range.
    const trimmed = raw.trim();
    version = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isSafeInteger(version) || version > 2147483647 || version < -2147483648) {
      return { ok: false, error: 'The client requested a non-integer protocol version.' };
    }
  }
  if (version < minimumVersion) {
    return { ok: false, error: `The client requested version '${version}', but the server does not support this version.` };
  }
  if (version > maxNegotiateVersion) version = maxNegotiateVersion;
  const statefulReconnect = allowStatefulReconnect && queryValue(query, 'usestatefulreconnect')?.trim().toLowerCase() === 'true';
  return { ok: true, version, statefulReconnect };
}

/** What the success body is made of. */
export interface NegotiateResponse {
  readonly version: number;
  readonly connectionId: string;
  /** Written only for version ≥ 1. */
  readonly connectionToken: string;
  readonly statefulReconnect: boolean;
  /** From {@link availableTransportsJson}. */
  readonly transportsJson: string;
}

/** The success body, byte for byte what the .NET server writes. */
export function negotiateResponseBody(r: NegotiateResponse): string {
  // Ids are base64url, so plain concatenation yields valid JSON without escaping.
  return (
    (r.statefulReconnect ? '{"useStatefulReconnect":true,' : '{') +
    `"negotiateVersion":${r.version},"connectionId":"${r.connectionId}",` +
    (r.version > 0 ? `"connectionToken":"${r.connectionToken}",` : '') +
    `"availableTransports":${r.transportsJson}}`
  );
}

/** The error body: `{"error":"…"}` (sent with status 200; the client throws `new Error(error)`). */
export function negotiateErrorBody(error: string): string {
  return JSON.stringify({ error });
}
