/**
 * Builds the transport of a kind for this environment, or says why it cannot. Everything platform
 * specific arrives here as data (a WebSocket constructor, whether fetch can stream), never by sniffing
 * modules.
 */
import { ClientError, ClientErrorCode } from '../errors.js';
import type { HttpClient } from '../http-client.js';
import type { Logger } from '../logger.js';
import { LongPollingTransport } from './long-polling.js';
import { ServerSentEventsTransport } from './server-sent-events.js';
import type { ClientTransport, TransportKind } from './transport.js';
import { WebSocketTransport, type WebSocketConstructor } from './websocket.js';

export interface TransportEnvironment {
  readonly http: HttpClient;
  readonly logger: Logger;
  readonly headers: Readonly<Record<string, string>>;
  /** undefined: no WebSocket here (Node 20 without the `WebSocket` option). */
  readonly WebSocket: WebSocketConstructor | undefined;
  /** Send WebSocket credentials as headers (`ws`-style constructor) rather than in the query. */
  readonly webSocketHeaders: boolean;
  /** fetch responses expose a ReadableStream body (needed by Server-Sent Events). */
  readonly streamingFetch: boolean;
}

export function createTransport(kind: TransportKind, env: TransportEnvironment): ClientTransport | ClientError {
  switch (kind) {
    case 'WebSockets':
      if (env.WebSocket === undefined) {
        return new ClientError(
          ClientErrorCode.TransportUnavailable,
          "'WebSockets' is not supported in your environment: pass a WebSocket constructor (in Node 20: `WebSocket` from the 'ws' package).",
        );
      }
      return new WebSocketTransport({
        WebSocket: env.WebSocket,
        sendHeaders: env.webSocketHeaders,
        headers: env.headers,
        http: env.http,
        logger: env.logger,
      });
    case 'ServerSentEvents':
      if (!env.streamingFetch) {
        return new ClientError(ClientErrorCode.TransportUnavailable, "'ServerSentEvents' is not supported in your environment: fetch cannot stream.");
      }
      return new ServerSentEventsTransport({ http: env.http, logger: env.logger });
    case 'LongPolling':
      return new LongPollingTransport({ http: env.http, logger: env.logger });
  }
}
