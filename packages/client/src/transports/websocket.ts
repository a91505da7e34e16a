/**
 * The WebSocket transport. Works with the browser's `WebSocket`, a global one in Node 22+, or the `ws`
 * package passed as the `WebSocket` option (Node 20). Browsers cannot set headers on a WebSocket, so
 * there the access token travels as the `access_token` query parameter; with a constructor that takes
 * `ws`'s third `{ headers }` argument it travels as `Authorization: Bearer`.
 */
import type { TransferFormat } from '@switchyard/protocol';
import { ClientError, ClientErrorCode, toError } from '../errors.js';
import type { HttpClient } from '../http-client.js';
import type { Logger } from '../logger.js';
import type { ClientTransport } from './transport.js';

/**
 * What the client needs of a WebSocket: the browser's and `ws`'s both fit. Handlers take `never` so
 * that any event type is accepted; the transport reads events defensively.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `globalThis.WebSocket` or `ws`'s default export. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => WebSocketLike;

export interface WebSocketTransportOptions {
  readonly WebSocket: WebSocketConstructor;
  /** Pass the token and `headers` as HTTP headers (`ws`-style third argument) instead of the query. */
  readonly sendHeaders: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly http: HttpClient;
  readonly logger: Logger;
}

interface MessageEventLike {
  readonly data: unknown;
}
interface CloseEventLike {
  readonly code?: unknown;
  readonly reason?: unknown;
  readonly wasClean?: unknown;
}

const OPEN = 1;
const NORMAL_CLOSURE = 1000;

export class WebSocketTransport implements ClientTransport {
  readonly kind = 'WebSockets';
  onreceive: ((data: string | Uint8Array) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  readonly #options: WebSocketTransportOptions;
  #socket: WebSocketLike | undefined;

  constructor(options: WebSocketTransportOptions) {
    this.#options = options;
  }

  async connect(url: string, _format: TransferFormat, signal: AbortSignal): Promise<void> {
    const options = this.#options;
    const token = await options.http.accessToken();
    let socketUrl = url.replace(/^http/, 'ws');
    let headers: Record<string, string> | undefined;
    if (options.sendHeaders) {
      headers = { ...options.headers };
      if (token) headers['Authorization'] = `Bearer ${token}`;
    } else if (token) {
      socketUrl += `${socketUrl.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
    }
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const socket = headers === undefined ? new options.WebSocket(socketUrl) : new options.WebSocket(socketUrl, undefined, { headers });
      // Binary frames as ArrayBuffer, never Blob: they are parsed synchronously.
      socket.binaryType = 'arraybuffer';
      let opened = false;
      const onAbort = (): void => {
        detach(socket);
        socket.close();
        reject(toError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.onopen = () => {
        signal.removeEventListener('abort', onAbort);
        opened = true;
        this.#socket = socket;
        options.logger.debug(`WebSocket connected to ${url}.`);
        resolve();
      };
      socket.onmessage = (event: MessageEventLike) => {
        if (this.#socket === socket) this.#received(event.data);
      };
      socket.onerror = () => {
        // Browsers say nothing useful here; the close event that follows carries the code.
      };
      socket.onclose = (event: CloseEventLike) => {
        if (opened) {
          if (this.#socket === socket) this.#closed(closeError(event));
          return;
        }
        signal.removeEventListener('abort', onAbort);
        reject(new ClientError(
          ClientErrorCode.TransportFailed,
          'WebSocket failed to connect. The connection could not be found on the server, either the endpoint may not be a ' +
            'SignalR endpoint, the connection ID is not present on the server, or there is a proxy blocking WebSockets. ' +
            'If you have multiple servers check that sticky sessions are enabled.',
        ));
      };
    });
  }

  send(data: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== OPEN) {
      return Promise.reject(new ClientError(ClientErrorCode.NotConnected, 'WebSocket is not in the OPEN state.'));
    }
    socket.send(data);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    const socket = this.#socket;
    if (socket !== undefined) {
      socket.close(NORMAL_CLOSURE);
      // Report the close now instead of waiting for the close handshake: a dead network can take
      // very long to confirm it, and stop() must not hang on that.
      this.#closed(undefined);
    }
    return Promise.resolve();
  }

  #received(data: unknown): void {
    let chunk: string | Uint8Array;
    if (typeof data === 'string') chunk = data;
    else if (data instanceof ArrayBuffer) chunk = new Uint8Array(data);
    else if (data instanceof Uint8Array) chunk = data;
    else return;
    try {
      this.onreceive?.(chunk);
    } catch (error) {
      // The hub layer could not use the data (bad handshake, malformed message): fatal to the transport.
      this.#socket?.close(NORMAL_CLOSURE);
      this.#closed(toError(error));
    }
  }

  #closed(error: Error | undefined): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    detach(socket);
    this.onclose?.(error);
  }
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}

/** The official client treats anything but a clean 1000 as an error (which triggers reconnects). */
function closeError(event: CloseEventLike): Error | undefined {
  const code = typeof event.code === 'number' ? event.code : 1006;
  if (event.wasClean === true && code === NORMAL_CLOSURE) return undefined;
  const reason = typeof event.reason === 'string' && event.reason !== '' ? event.reason : 'no reason given';
  return new ClientError(ClientErrorCode.TransportClosed, `WebSocket closed with status code: ${code} (${reason}).`);
}
