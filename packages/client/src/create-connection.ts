/** Wires an {@link HttpConnection} from resolved options: the HTTP client and the transports of this platform. */
import type { Connection } from './connection.js';
import { HttpClient } from './http-client.js';
import { HttpConnection } from './http-connection.js';
import type { ResolvedOptions } from './options.js';
import { createTransport } from './transports/transport-factory.js';

export function createHttpConnection(options: ResolvedOptions): Connection {
  const http = new HttpClient({
    fetch: options.fetch,
    headers: options.headers,
    withCredentials: options.withCredentials,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  const environment = {
    http,
    logger: options.logger,
    headers: options.headers,
    WebSocket: options.WebSocket,
    webSocketHeaders: options.webSocketHeaders,
    streamingFetch: options.streamingFetch,
  };
  return new HttpConnection({
    url: options.url,
    transports: options.transports,
    skipNegotiation: options.skipNegotiation,
    statefulReconnect: options.statefulReconnect,
    accessTokenFactory: options.accessTokenFactory,
    http,
    createTransport: (kind) => createTransport(kind, environment),
    logger: options.logger,
  });
}
