import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request header as ASP.NET Core's `Request.Headers[name]` renders it: several values joined
 * with a comma, `null` when absent. Node already lower-cases header names, so the lookup is
 * case-insensitive like .NET's.
 */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * A cookie from the `Cookie` header(s), `null` when absent. Like ASP.NET Core, the first cookie
 * with that (case-sensitive) name wins and a value in double quotes is unquoted.
 */
export function cookieValue(headers: IncomingHttpHeaders, name: string): string | null {
  const header = headerValue(headers, 'cookie');
  if (header === null) return null;
  for (const pair of header.split(/[;,]/)) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const raw = pair.slice(eq + 1).trim();
    const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    try {
      return decodeURIComponent(unquoted);
    } catch {
      return unquoted; // not percent-encoded after all: hand it back as sent
    }
  }
  return null;
}
