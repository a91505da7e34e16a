/**
 * The familiar builder of the official client, over {@link HubConnectionOptions}. Everything it does
 * can be written as one options object; it exists for people coming from `@microsoft/signalr`.
 */
import type { HubProtocol, UntypedContract } from '@switchyard/protocol';
import type { ContractShape } from './contract-types.js';
import { ClientError, ClientErrorCode } from './errors.js';
import { HubConnection } from './hub-connection.js';
import type { Logger } from './logger.js';
import type { HubConnectionOptions } from './options.js';
import type { ReconnectPolicy } from './reconnect-policy.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * @example
 * const connection = new HubConnectionBuilder<Chat>()
 *   .withUrl('https://example.com/chat', { accessTokenFactory: () => token })
 *   .withAutomaticReconnect()
 *   .build();
 */
export class HubConnectionBuilder<TContract extends ContractShape = UntypedContract> {
  readonly #options: Partial<Mutable<HubConnectionOptions>> = {};

  /** The hub URL and the connection options (everything but `url`). */
  withUrl(url: string, options: Omit<HubConnectionOptions, 'url'> = {}): this {
    Object.assign(this.#options, options, { url });
    return this;
  }

  /** The hub protocol, e.g. `new MessagePackHubProtocol()`; see {@link HubConnectionOptions.protocol}. */
  withHubProtocol(protocol: HubProtocol): this {
    this.#options.protocol = protocol;
    return this;
  }

  /** Automatic reconnect: {@link exponentialBackoff} by default, or the given delays (ms) or policy. */
  withAutomaticReconnect(policy?: readonly number[] | ReconnectPolicy): this {
    this.#options.reconnect = policy ?? true;
    return this;
  }

  /** @param timeoutMs see {@link HubConnectionOptions.serverTimeoutMs} */
  withServerTimeout(timeoutMs: number): this {
    this.#options.serverTimeoutMs = timeoutMs;
    return this;
  }

  /** @param intervalMs see {@link HubConnectionOptions.keepAliveIntervalMs} */
  withKeepAliveInterval(intervalMs: number): this {
    this.#options.keepAliveIntervalMs = intervalMs;
    return this;
  }

  /** Stateful reconnect (on by default); `bufferBytes` see {@link HubConnectionOptions.statefulReconnectBufferBytes}. */
  withStatefulReconnect(options: { readonly bufferBytes?: number } = {}): this {
    this.#options.statefulReconnect = true;
    if (options.bufferBytes !== undefined) this.#options.statefulReconnectBufferBytes = options.bufferBytes;
    return this;
  }

  /** Where the connection logs (`console` fits); see {@link HubConnectionOptions.logger}. */
  withLogger(logger: Logger): this {
    this.#options.logger = logger;
    return this;
  }

  /**
   * Creates the connection (not started).
   * @throws ClientError `ERR_CLIENT_INVALID_OPTION` without `withUrl`, or for a bad option.
   */
  build(): HubConnection<TContract> {
    const { url } = this.#options;
    if (url === undefined) throw new ClientError(ClientErrorCode.InvalidOption, "The 'HubConnectionBuilder.withUrl' method must be called before building the connection.");
    return new HubConnection<TContract>({ ...this.#options, url });
  }
}
