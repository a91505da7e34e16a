import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ConnectionRequest } from './connection.js';
import { shareHeaderValues, shareRemoteAddress } from './header-values.js';
import { redactHeaders, redactUrl } from './redaction.js';

/** Sec-WebSocket-Key: a nonce that only served to answer the upgrade (Sec-WebSocket-Accept). */
const HANDSHAKE_KEY = 'sec-websocket-key';

/**
 * The headers without Sec-WebSocket-Key: a unique string per connection (40 B) that nothing reads once
 * the upgrade was answered. A copy rather than `delete`, which would turn the object into a slower,
 * larger dictionary. Other requests keep Node's object as it is.
 */
function withoutHandshakeKey(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  if (headers[HANDSHAKE_KEY] === undefined) return headers;
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) if (name !== HANDSHAKE_KEY) kept[name] = headers[name];
  return kept;
}

/**
 * The {@link ConnectionRequest} of a connection: copies what it needs from the request that opened the
 * transport and keeps no reference to the request or its socket (a WebSocket connection may live for
 * days). The `URL` is built only when read. Logged (JSON or `util.inspect`), it masks its secrets:
 * the access and connection tokens in the URL, Authorization and cookies in the headers.
 */
export class RequestSnapshot implements ConnectionRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  readonly #target: string;
  /**
   * The URL once read; before that, whether the request came over TLS (the scheme of the URL, whose
   * origin is built from the Host header only when read). One field rather than two: 8 B per connection.
   */
  #url: URL | boolean;

  constructor(req: IncomingMessage) {
    this.method = req.method ?? 'GET';
    // Node builds a fresh plain object per request; holding it does not hold the request. Values that
    // every client sends alike are swapped for shared strings (header-values.ts).
    this.headers = withoutHandshakeKey(req.headers);
    shareHeaderValues(this.headers);
    this.remoteAddress = shareRemoteAddress(req.socket.remoteAddress);
    this.#target = req.url ?? '/';
    this.#url = (req.socket as Partial<TLSSocket>).encrypted === true;
  }

  get url(): URL {
    if (typeof this.#url === 'boolean') {
      try {
        this.#url = new URL(this.#target, `${this.#url ? 'https' : 'http'}://${this.headers.host ?? 'localhost'}`);
      } catch {
        // A malformed Host header must not make the getter throw.
        this.#url = new URL(this.#target, 'http://localhost');
      }
    }
    return this.#url;
  }

  /** What a logger serializes: no token, no cookie. */
  toJSON(): { method: string; url: string; headers: IncomingHttpHeaders; remoteAddress: string | undefined } {
    return { method: this.method, url: redactUrl(this.#target), headers: redactHeaders(this.headers), remoteAddress: this.remoteAddress };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): unknown {
    return this.toJSON();
  }
}
