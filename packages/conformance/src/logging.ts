/**
 * The conformance server's logger: pino, JSON lines on stderr (stdout keeps the Kestrel-style
 * "Now listening on:" lines scripts read). Secrets never reach it: the server logs URLs through
 * `redactUrl` and connection requests serialize redacted; pino's `redact` also masks credentials
 * in any `headers` object logged at the top level or under `req`.
 */
import { pino, type DestinationStream } from 'pino';
import type { Logger } from '@switchyard/server';

const levels: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

// Not `request.*`: a connection's request redacts itself (toJSON), and redact paths into it would copy
// its raw headers instead.
const secretHeaderPaths = ['authorization', 'cookie', 'proxy-authorization'].flatMap((name) => [`headers.${name}`, `req.headers.${name}`]);

/**
 * A pino logger at `level` (trace, debug, info, warn, error, fatal, silent), writing to `destination`
 * (stderr by default). @throws Error for an unknown level.
 */
export function createLogger(level: string, destination: DestinationStream = pino.destination(2)): Logger {
  if (!levels.includes(level)) throw new Error(`the log level must be one of ${levels.join(', ')}, got '${level}'`);
  return pino({ level, redact: { paths: secretHeaderPaths, censor: '[redacted]' } }, destination);
}
