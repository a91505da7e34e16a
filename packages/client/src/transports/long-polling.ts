/**
 * The long-polling transport: a loop of GETs that each wait for data (the server answers within its
 * poll timeout, 90 s by default), sends as POSTs, and a DELETE to end. Each poll is a keep-alive, so the
 * hub layer sends no pings and runs no server timeout on it.
 */
import type { TransferFormat } from '@switchyard/protocol';
import { ClientError, ClientErrorCode, isClientError, toError } from '../errors.js';
import { httpStatusError, type HttpClient } from '../http-client.js';
import type { Logger } from '../logger.js';
import type { ClientTransport } from './transport.js';

export interface LongPollingTransportOptions {
  readonly http: HttpClient;
  readonly logger: Logger;
}

/** Longer than the server's 90 s poll timeout; a client-side timeout just starts the next poll. */
const POLL_TIMEOUT_MS = 100_000;

export class LongPollingTransport implements ClientTransport {
  readonly kind = 'LongPolling';
  onreceive: ((data: string | Uint8Array) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  readonly #options: LongPollingTransportOptions;
  #url = '';
  #format: TransferFormat = 'Text';
  #running = false;
  #pollAbort = new AbortController();
  #polling: Promise<void> = Promise.resolve();
  #closeError: Error | undefined;
  #closeReported = true;

  constructor(options: LongPollingTransportOptions) {
    this.#options = options;
  }

  async connect(url: string, format: TransferFormat, signal: AbortSignal): Promise<void> {
    this.#url = url;
    this.#format = format;
    this.#pollAbort = new AbortController();
    this.#closeError = undefined;
    const onAbort = (): void => this.#pollAbort.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // The server answers the first poll at once, empty: it activates the connection.
      const response = await this.#poll();
      if (response.status !== 200) {
        const cause = httpStatusError(response);
        throw new ClientError(ClientErrorCode.TransportFailed, `The first poll failed: ${cause.message}`, { cause, statusCode: response.status });
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw isClientError(error) ? error : new ClientError(ClientErrorCode.TransportFailed, `The first poll failed: ${toError(error).message}`, { cause: error });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    this.#running = true;
    this.#closeReported = false;
    this.#polling = this.#pollLoop();
  }

  async send(data: Uint8Array): Promise<void> {
    if (!this.#running) throw new ClientError(ClientErrorCode.NotConnected, 'Cannot send until the transport is connected.');
    const response = await this.#options.http.send({
      method: 'POST',
      url: this.#url,
      body: data,
      contentType: this.#format === 'Binary' ? 'application/octet-stream' : 'text/plain;charset=UTF-8',
      responseType: 'text',
    });
    if (response.status !== 200) throw httpStatusError(response);
  }

  async stop(): Promise<void> {
    const wasRunning = this.#running;
    this.#running = false;
    this.#pollAbort.abort();
    try {
      await this.#polling;
      if (wasRunning) {
        // Tells the server to end the connection now rather than after its disconnect timeout. A 404
        // (already gone) or a network error changes nothing for us.
        await this.#options.http.send({ method: 'DELETE', url: this.#url, responseType: 'text' }).catch((error: unknown) => {
          this.#options.logger.debug(`(LongPolling transport) DELETE failed: ${toError(error).message}`);
        });
      }
    } finally {
      // After the DELETE, so a stopped connection is really gone on the server when onclose runs.
      this.#reportClose();
    }
  }

  #poll(): ReturnType<HttpClient['send']> {
    return this.#options.http.send({
      method: 'GET',
      url: `${this.#url}${this.#url.includes('?') ? '&' : '?'}_=${Date.now()}`,
      responseType: this.#format === 'Binary' ? 'bytes' : 'text',
      timeoutMs: POLL_TIMEOUT_MS,
      signal: this.#pollAbort.signal,
    });
  }

  async #pollLoop(): Promise<void> {
    while (this.#running) {
      let response: Awaited<ReturnType<HttpClient['send']>>;
      try {
        response = await this.#poll();
      } catch (error) {
        if (!this.#running) break;
        if (isClientError(error, ClientErrorCode.RequestTimeout)) continue;
        this.#fail(new ClientError(ClientErrorCode.TransportClosed, `A poll failed: ${toError(error).message}`, { cause: error }));
        break;
      }
      if (response.status === 204) {
        this.#fail(new ClientError(ClientErrorCode.TransportClosed, 'The server ended the long-polling connection.'));
      } else if (response.status !== 200) {
        const cause = httpStatusError(response);
        this.#fail(new ClientError(ClientErrorCode.TransportClosed, `A poll failed: ${cause.message}`, { cause, statusCode: response.status }));
      } else if (response.body.length > 0) {
        try {
          this.onreceive?.(response.body);
        } catch (error) {
          // The hub layer could not use the data (bad handshake, malformed message): fatal to the transport.
          this.#fail(toError(error));
        }
      }
      // An empty 200 is the server's poll timeout: poll again.
    }
    // When stop() aborted the poll, it reports the close itself, after the DELETE.
    if (!this.#pollAbort.signal.aborted) this.#reportClose();
  }

  #fail(error: Error): void {
    this.#closeError ??= error;
    this.#running = false;
  }

  #reportClose(): void {
    if (this.#closeReported) return;
    this.#closeReported = true;
    this.onclose?.(this.#closeError);
  }
}
