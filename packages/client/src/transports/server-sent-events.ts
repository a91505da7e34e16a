/**
 * The Server-Sent Events transport over `fetch` streaming, not `EventSource`: it runs in browsers and in
 * Node (which has no EventSource), sends the access token as a header instead of in the URL, and never
 * reconnects on its own (EventSource would, behind the hub's back). Receives text events; sends with
 * POSTs. Text transfer format only.
 */
import type { TransferFormat } from '@switchyard/protocol';
import { ClientError, ClientErrorCode, toError } from '../errors.js';
import { httpStatusError, type HttpClient } from '../http-client.js';
import type { Logger } from '../logger.js';
import { SseParser } from './sse-parser.js';
import type { ClientTransport } from './transport.js';

export interface ServerSentEventsTransportOptions {
  readonly http: HttpClient;
  readonly logger: Logger;
}

export class ServerSentEventsTransport implements ClientTransport {
  readonly kind = 'ServerSentEvents';
  onreceive: ((data: string | Uint8Array) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  readonly #options: ServerSentEventsTransportOptions;
  #url = '';
  /** Aborts the event stream; set while the transport is open. */
  #stream: AbortController | undefined;

  constructor(options: ServerSentEventsTransportOptions) {
    this.#options = options;
  }

  async connect(url: string, format: TransferFormat, signal: AbortSignal): Promise<void> {
    if (format !== 'Text') {
      throw new ClientError(ClientErrorCode.TransportFailed, "The Server-Sent Events transport only supports the 'Text' transfer format.");
    }
    this.#url = url;
    const stream = new AbortController();
    const onAbort = (): void => stream.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let response: Response;
    try {
      response = await this.#options.http.open({
        method: 'GET',
        url,
        headers: { Accept: 'text/event-stream' },
        responseType: 'text',
        signal: stream.signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new ClientError(ClientErrorCode.TransportFailed, `The event stream could not be opened: ${toError(error).message}`, { cause: error });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (response.status !== 200 || response.body === null) {
      const cause = httpStatusError({ status: response.status, statusText: response.statusText, body: await response.text() });
      throw new ClientError(
        ClientErrorCode.TransportFailed,
        'EventSource failed to connect. The connection could not be found on the server, either the connection ID is not present ' +
          `on the server, or a proxy is refusing/buffering the connection. ${cause.message}`,
        { cause, statusCode: response.status },
      );
    }
    this.#stream = stream;
    this.#options.logger.debug(`SSE connected to ${url}.`);
    void this.#read(response.body, stream);
  }

  async send(data: Uint8Array): Promise<void> {
    if (this.#stream === undefined) throw new ClientError(ClientErrorCode.NotConnected, 'Cannot send until the transport is connected.');
    const response = await this.#options.http.send({
      method: 'POST',
      url: this.#url,
      body: data,
      contentType: 'text/plain;charset=UTF-8',
      responseType: 'text',
    });
    if (response.status !== 200) throw httpStatusError(response);
  }

  stop(): Promise<void> {
    this.#closed(this.#stream, undefined);
    return Promise.resolve();
  }

  async #read(body: ReadableStream<Uint8Array>, stream: AbortController): Promise<void> {
    const decoder = new TextDecoder();
    let failure: Error | undefined;
    const parser = new SseParser((data) => {
      if (failure !== undefined) return;
      try {
        this.onreceive?.(data);
      } catch (error) {
        // The hub layer could not use the data: fatal to the transport.
        failure ??= toError(error);
      }
    });
    const reader = body.getReader();
    try {
      while (failure === undefined) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      failure ??= new ClientError(ClientErrorCode.TransportClosed, 'The server ended the event stream.');
    } catch (error) {
      failure ??= new ClientError(ClientErrorCode.TransportClosed, `The event stream failed: ${toError(error).message}`, { cause: error });
    }
    this.#closed(stream, failure);
  }

  /** Ends the stream once: by stop() (no error) or because it failed or ended. */
  #closed(stream: AbortController | undefined, error: Error | undefined): void {
    if (stream === undefined || this.#stream !== stream) return;
    this.#stream = undefined;
    stream.abort();
    this.onclose?.(error);
  }
}
