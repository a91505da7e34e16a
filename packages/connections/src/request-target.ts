/**
 * Cheap parsing of a request target (`/chat/negotiate?negotiateVersion=1`): the path and single query
 * values, without building a `URL` per request. Query keys match case-insensitively, as ASP.NET Core's
 * `Request.Query` does (`NegotiateVersion` and `negotiateVersion` are the same key).
 */

/** The path part of a request target, without the query. Absolute-form targets (proxies) are reduced to their path. */
export function pathOf(target: string): string {
  let start = 0;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const scheme = target.indexOf('://');
    if (scheme < 0) return target;
    start = target.indexOf('/', scheme + 3);
    if (start < 0) return '/';
  }
  const q = target.indexOf('?', start);
  return q < 0 ? target.slice(start) : target.slice(start, q);
}

/** The query string of a request target, without the `?` (empty when there is none). */
export function queryOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? '' : target.slice(q + 1);
}

/**
 * The first value of `key` (lower-case) in `query`, percent-decoded; undefined when absent.
 * A key without `=` has the value ''. Undecodable values are returned raw.
 */
export function queryValue(query: string, key: string): string | undefined {
  let start = 0;
  const length = query.length;
  while (start <= length && length > 0) {
    let end = query.indexOf('&', start);
    if (end < 0) end = length;
    const eq = query.indexOf('=', start);
    const keyEnd = eq < 0 || eq > end ? end : eq;
    const rawKey = query.slice(start, keyEnd);
    if ((rawKey.length === key.length || rawKey.includes('%')) && decode(rawKey).toLowerCase() === key) {
      return keyEnd === end ? '' : decode(query.slice(keyEnd + 1, end));
    }
    start = end + 1;
  }
  return undefined;
}

function decode(text: string): string {
  if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}
