/**
 * The client side of the hub handshake: the request, and the response read from the first chunk(s)
 * the server sends. Hub messages may follow the response in the same chunk; they are handed back.
 */
import { isProtocolError, parseHandshakeResponse, writeHandshakeRequest, type HandshakeResponse, type HubProtocol } from '@switchyard/protocol';
import { ClientError, ClientErrorCode } from './errors.js';

const encoder = new TextEncoder();

/** The handshake request: version 2 only when stateful reconnect was negotiated, else 1 (old servers). */
export function handshakeRequest(protocol: HubProtocol, statefulReconnect: boolean): Uint8Array {
  return writeHandshakeRequest({ protocol: protocol.name, version: statefulReconnect ? protocol.version : 1 });
}

/** One handshake in flight: settles once, when the response arrives or the connection ends first. */
export class PendingHandshake {
  readonly promise: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  #done = false;
  #partial: string | Uint8Array = '';

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Nobody awaits a handshake that failed after start() already gave up on it.
    this.promise.catch(() => undefined);
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Reads the response from `data`. Returns what follows it (hub messages), `undefined` while the
   * response is incomplete or when nothing follows.
   * @throws ClientError `ERR_CLIENT_HANDSHAKE_FAILED` (also rejecting {@link promise}).
   */
  read(data: string | Uint8Array): string | Uint8Array | undefined {
    const input = join(this.#partial, data);
    let parsed: { readonly response: HandshakeResponse; readonly rest: string | Uint8Array } | undefined;
    try {
      parsed = typeof input === 'string' ? parseHandshakeResponse(input) : parseHandshakeResponse(input);
    } catch (error) {
      const reason = isProtocolError(error) ? error.message : String(error);
      throw this.#fail(new ClientError(ClientErrorCode.HandshakeFailed, `Error parsing handshake response: ${reason}`, { cause: error }));
    }
    if (parsed === undefined) {
      this.#partial = input;
      return undefined;
    }
    this.#partial = '';
    if (parsed.response.error !== undefined) {
      throw this.#fail(new ClientError(ClientErrorCode.HandshakeFailed, `Server returned handshake error: ${parsed.response.error}`));
    }
    this.#done = true;
    this.#resolve();
    return parsed.rest.length === 0 ? undefined : parsed.rest;
  }

  /** The connection ended before the response. */
  fail(error: Error): void {
    if (!this.#done) this.#fail(error);
  }

  #fail(error: ClientError | Error): Error {
    this.#done = true;
    this.#reject(error);
    return error;
  }
}

function join(partial: string | Uint8Array, data: string | Uint8Array): string | Uint8Array {
  if (partial.length === 0) return data;
  if (typeof partial === 'string' && typeof data === 'string') return partial + data;
  const head = typeof partial === 'string' ? encoder.encode(partial) : partial;
  const tail = typeof data === 'string' ? encoder.encode(data) : data;
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head);
  joined.set(tail, head.length);
  return joined;
}
