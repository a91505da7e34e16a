/**
 * The HTTP connection: negotiate (with redirects and access tokens), then the server's transports in
 * the server's order with fallback, re-negotiating before each new attempt (a failed attempt may have
 * used up the connection id). When every transport fails, one error reports every reason.
 *
 * States:
 *
 *   Disconnected ──start()──▶ Connecting ──transport up──▶ Connected
 *        ▲                       │ fails                      │ stop() / transport lost
 *        └───────────────────────┴────── Disconnecting ◀──────┘
 *
 * With stateful reconnect, a lost WebSocket does not end the connection at once: it is opened again,
 * once, at the same URL, and the hub layer's ResumeHandler replays what the server missed.
 */
import type { TransferFormat } from '@switchyard/protocol';
import type { Connection, ConnectionFeatures, ResumeHandler } from './connection.js';
import { ClientError, ClientErrorCode, toError } from './errors.js';
import type { AccessTokenFactory, HttpClient } from './http-client.js';
import type { Logger } from './logger.js';
import { connectUrl, isTransportKind, negotiate, type AvailableTransport, type NegotiateResult } from './negotiate.js';
import { SendQueue } from './send-queue.js';
import type { ClientTransport, TransportKind } from './transports/transport.js';

export interface HttpConnectionOptions {
  readonly url: string;
  /** Transports the client may use; the server's order decides among them. */
  readonly transports: readonly TransportKind[];
  readonly skipNegotiation: boolean;
  readonly statefulReconnect: boolean;
  readonly accessTokenFactory: AccessTokenFactory | undefined;
  readonly http: HttpClient;
  /** A transport of that kind, or why this environment cannot provide one. */
  readonly createTransport: (kind: TransportKind) => ClientTransport | ClientError;
  readonly logger: Logger;
}

type State = 'Disconnected' | 'Connecting' | 'Connected' | 'Disconnecting';

const MAX_REDIRECTS = 100;
const NO_FEATURES: ConnectionFeatures = { inherentKeepAlive: false, statefulReconnect: false };

export class HttpConnection implements Connection {
  onreceive: ((data: string | Uint8Array) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  resumeHandler: ResumeHandler | null = null;
  readonly #options: HttpConnectionOptions;
  #state: State = 'Disconnected';
  #connectionId: string | null = null;
  #features: ConnectionFeatures = NO_FEATURES;
  #transport: ClientTransport | undefined;
  /** Batches sends over HTTP (SSE, long polling); undefined for WebSockets, whose sends are synchronous. */
  #sendQueue: SendQueue | undefined;
  /** Aborted by stop(): cancels a start or a stateful re-attach in progress. */
  #lifetime = new AbortController();
  #starting: Promise<void> = Promise.resolve();
  #stopping: Promise<void> = Promise.resolve();
  #stopError: Error | undefined;
  /** A start completed: the next close is reported through onclose. */
  #started = false;

  constructor(options: HttpConnectionOptions) {
    this.#options = options;
  }

  get connectionId(): string | null {
    return this.#connectionId;
  }

  get transport(): TransportKind | null {
    return this.#state === 'Connected' ? this.#transport?.kind ?? null : null;
  }

  get features(): ConnectionFeatures {
    return this.#features;
  }

  async start(format: TransferFormat): Promise<void> {
    if (this.#state !== 'Disconnected') {
      throw new ClientError(ClientErrorCode.InvalidState, "Cannot start an HttpConnection that is not in the 'Disconnected' state.");
    }
    this.#state = 'Connecting';
    this.#lifetime = new AbortController();
    this.#stopError = undefined;
    const signal = this.#lifetime.signal;
    const starting = this.#startInternal(format, signal);
    this.#starting = starting.catch(() => undefined);
    try {
      await starting;
    } catch (error) {
      this.#state = 'Disconnected';
      this.#transport = undefined;
      throw signal.aborted ? abortedDuringStart(error) : error;
    }
    if ((this.#state as State) === 'Disconnecting') {
      // stop() arrived after the transport came up: it is tearing the transport down now.
      await this.#stopping;
      throw abortedDuringStart(undefined);
    }
    this.#state = 'Connected';
    this.#started = true;
  }

  send(data: Uint8Array): Promise<void> {
    const transport = this.#transport;
    if (this.#state !== 'Connected' || transport === undefined) {
      return Promise.reject(new ClientError(ClientErrorCode.NotConnected, "Cannot send data if the connection is not in the 'Connected' State."));
    }
    return this.#sendQueue === undefined ? transport.send(data) : this.#sendQueue.send(data);
  }

  stop(error?: Error): Promise<void> {
    if (this.#state === 'Disconnected') return Promise.resolve();
    if (this.#state === 'Disconnecting') return this.#stopping;
    this.#state = 'Disconnecting';
    // A reason given to stop() (a Close message's error, a server timeout) beats the transport's own.
    this.#stopError = error;
    this.#lifetime.abort();
    this.#stopping = this.#stopInternal();
    return this.#stopping;
  }

  async #stopInternal(): Promise<void> {
    await this.#starting;
    const transport = this.#transport;
    if (transport !== undefined) {
      try {
        await transport.stop();
      } catch (error) {
        this.#options.logger.error(`Stopping the transport failed: ${toError(error).message}`);
      }
    }
    // The transport reported its close during stop() unless it had already gone (a re-attach in flight).
    if (this.#state === 'Disconnecting') this.#stopConnection(undefined);
  }

  async #startInternal(format: TransferFormat, signal: AbortSignal): Promise<void> {
    const { http, accessTokenFactory, statefulReconnect } = this.#options;
    http.useTokenFactory(accessTokenFactory);
    let url = this.#options.url;
    if (this.#options.skipNegotiation) {
      const transport = this.#options.createTransport('WebSockets');
      if (transport instanceof Error) throw transport;
      await this.#startTransport(transport, { url, format, signal, statefulReconnect: false });
      this.#connectionId = null;
      return;
    }
    for (let redirects = 0; ; redirects++) {
      if (redirects >= MAX_REDIRECTS) throw new ClientError(ClientErrorCode.NegotiateFailed, 'Negotiate redirection limit exceeded.');
      const answer = await negotiate(http, url, { statefulReconnect, signal });
      if (answer.kind === 'connection') {
        await this.#startAnyTransport(url, answer, format, signal);
        return;
      }
      url = answer.url;
      if (answer.accessToken !== undefined) http.useFixedToken(answer.accessToken);
    }
  }

  async #startAnyTransport(url: string, first: NegotiateResult, format: TransferFormat, signal: AbortSignal): Promise<void> {
    const errors: Error[] = [];
    let negotiated: NegotiateResult | undefined = first;
    for (const entry of first.availableTransports) {
      const transport = this.#resolveTransport(entry, format);
      if (transport instanceof Error) {
        this.#options.logger.debug(transport.message);
        errors.push(transport);
        continue;
      }
      if (negotiated === undefined) {
        // The previous attempt may have consumed the connection: start over with a fresh one.
        const answer = await negotiate(this.#options.http, url, { statefulReconnect: this.#options.statefulReconnect, signal });
        if (answer.kind !== 'connection') throw new ClientError(ClientErrorCode.NegotiateFailed, 'Negotiate redirected while retrying a transport.');
        negotiated = answer;
      }
      try {
        await this.#startTransport(transport, {
          url: connectUrl(url, negotiated.connectionToken),
          format,
          signal,
          statefulReconnect: transport.kind === 'WebSockets' && negotiated.useStatefulReconnect,
        });
        this.#connectionId = negotiated.connectionId ?? null;
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        const message = `${transport.kind} failed: ${toError(error).message}`;
        this.#options.logger.warn(message);
        errors.push(new ClientError(ClientErrorCode.TransportFailed, message, { cause: error }));
        negotiated = undefined;
      }
    }
    if (errors.length === 0) {
      throw new ClientError(ClientErrorCode.NoTransport, 'None of the transports supported by the client are supported by the server.');
    }
    throw new ClientError(
      ClientErrorCode.NoTransport,
      `Unable to connect to the server with any of the available transports. ${errors.map((e) => e.message).join(' ')}`,
      { errors },
    );
  }

  #resolveTransport(entry: AvailableTransport, format: TransferFormat): ClientTransport | ClientError {
    const name = entry.transport;
    if (!isTransportKind(name)) return unavailable(`Skipping transport '${name}' because it is not supported by this client.`);
    if (!this.#options.transports.includes(name)) return unavailable(`'${name}' is disabled by the client.`);
    if (!entry.transferFormats.includes(format)) return unavailable(`'${name}' does not support ${format}.`);
    return this.#options.createTransport(name);
  }

  async #startTransport(
    transport: ClientTransport,
    attempt: { url: string; format: TransferFormat; signal: AbortSignal; statefulReconnect: boolean },
  ): Promise<void> {
    transport.onreceive = (data) => this.onreceive?.(data);
    transport.onclose = (error) => void this.#transportClosed(transport, attempt, error);
    await transport.connect(attempt.url, attempt.format, attempt.signal);
    this.#transport = transport;
    // A WebSocket send only queues the frame in the socket: batching would only add a copy.
    this.#sendQueue = transport.kind === 'WebSockets' ? undefined : new SendQueue((data) => transport.send(data));
    this.#features = { inherentKeepAlive: transport.kind === 'LongPolling', statefulReconnect: attempt.statefulReconnect };
  }

  async #transportClosed(
    transport: ClientTransport,
    attempt: { url: string; format: TransferFormat; statefulReconnect: boolean },
    error: Error | undefined,
  ): Promise<void> {
    const handler = this.resumeHandler;
    if (attempt.statefulReconnect && this.#state === 'Connected' && handler !== null) {
      try {
        handler.transportLost();
        this.#options.logger.info(`The WebSocket closed (${error?.message ?? 'cleanly'}); re-attaching to the same connection.`);
        // The same URL (`?id=<token>`): the server still holds the logical connection. No negotiate, no handshake.
        await transport.connect(attempt.url, attempt.format, this.#lifetime.signal);
        await handler.resume();
        this.#options.logger.info('Re-attached to the connection.');
        return;
      } catch (reattachError) {
        this.#options.logger.info(`Re-attaching failed: ${toError(reattachError).message}`);
        // stop() aborted the re-attach: the close is the one asked for, not the drop before it.
        if (this.#lifetime.signal.aborted) {
          this.#stopConnection(undefined);
          return;
        }
      }
    }
    this.#stopConnection(error);
  }

  /** The transport is gone for good: report the close once, with the most telling reason. */
  #stopConnection(transportError: Error | undefined): void {
    if (this.#state === 'Disconnected') return;
    const error = this.#stopError ?? transportError;
    this.#stopError = undefined;
    this.#transport = undefined;
    this.#sendQueue?.stop();
    this.#sendQueue = undefined;
    this.#connectionId = null;
    this.#features = NO_FEATURES;
    this.#state = 'Disconnected';
    if (error === undefined) this.#options.logger.info('Connection disconnected.');
    else this.#options.logger.info(`Connection disconnected with error '${error.message}'.`);
    if (!this.#started) return;
    this.#started = false;
    try {
      this.onclose?.(error);
    } catch (callbackError) {
      this.#options.logger.error(`An onclose callback threw: ${toError(callbackError).message}`);
    }
  }
}

function unavailable(message: string): ClientError {
  return new ClientError(ClientErrorCode.TransportUnavailable, message);
}

function abortedDuringStart(cause: unknown): ClientError {
  return new ClientError(ClientErrorCode.Aborted, 'The connection was stopped before it finished starting.', { cause });
}
