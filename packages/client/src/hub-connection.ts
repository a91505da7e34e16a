/**
 * A connection to one hub: typed invocations, streams and handlers over a {@link Connection}, with
 * keep-alive, automatic reconnect and the hub side of stateful reconnect.
 *
 *                 start()                 handshake done
 *   Disconnected ─────────▶ Connecting ─────────────────▶ Connected ◀──────────┐
 *        ▲  ▲                   │ fails                     │  │ lost,       │ attempt
 *        │  └───────────────────┘                           │  │ reconnect   │ succeeds
 *        │                                stop() / Close    │  ▼ policy set  │
 *        └──────────── Disconnecting ◀──────────────────────┘ Reconnecting ──┘
 *                        (also from Reconnecting on stop(), or when the policy gives up)
 *
 * A dropped WebSocket with stateful reconnect never leaves Connected: the connection re-attaches
 * underneath, and the message buffer replays what either side missed.
 *
 * What the server sends (handshake response, parsing, dispatch) is handled in hub-inbound.ts.
 */
import { MessageType, type HubMessage, type HubProtocol, type UntypedContract } from '@switchyard/protocol';
import { ClientMethods } from './client-methods.js';
import type { Connection } from './connection.js';
import type {
  ClientHandler, ClientMethodName, ContractShape, InvokeMethodName, InvokeResult, ServerMethodArgs, StreamItem, StreamMethodName,
} from './contract-types.js';
import { ClientError, ClientErrorCode, toError } from './errors.js';
import { ConnectionEvents } from './connection-events.js';
import { HubCalls } from './hub-calls.js';
import { handshakeRequest } from './handshake.js';
import { HubInbound } from './hub-inbound.js';
import { createHttpConnection } from './create-connection.js';
import { InvocationTable } from './invocation-table.js';
import { KeepAlive } from './keep-alive.js';
import { MessageBuffer } from './message-buffer.js';
import { ReconnectLoop } from './reconnect-loop.js';
import { resolveOptions, type HubConnectionOptions, type ResolvedOptions } from './options.js';
import type { HubStream } from './stream-registry.js';
import type { TransportKind } from './transports/transport.js';

/** Where a {@link HubConnection} is in its life. */
export const HubConnectionState = {
  Disconnected: 'Disconnected',
  Connecting: 'Connecting',
  Connected: 'Connected',
  Disconnecting: 'Disconnecting',
  Reconnecting: 'Reconnecting',
} as const;
export type HubConnectionState = (typeof HubConnectionState)[keyof typeof HubConnectionState];

/**
 * A typed connection to a hub.
 *
 * @typeParam TContract the hub contract shared with the server (`server` methods, `client` handlers).
 * @example
 * const connection = new HubConnection<Chat>({ url: 'https://example.com/chat', reconnect: true });
 * connection.on('receive', (user, text) => console.log(user, text));
 * await connection.start();
 * const history = await connection.invoke('history', 10); // string[]
 */
export class HubConnection<TContract extends ContractShape = UntypedContract> {
  readonly #options: ResolvedOptions;
  readonly #protocol: HubProtocol;
  readonly #connection: Connection;
  readonly #invocations = new InvocationTable();
  readonly #calls = new HubCalls({
    invocations: this.#invocations,
    send: (message) => this.#sendHubMessage(message),
    notConnected: () => this.#notConnected(),
  });
  readonly #methods: ClientMethods;
  readonly #events: ConnectionEvents;
  readonly #pingBytes: Uint8Array;
  #state: HubConnectionState = HubConnectionState.Disconnected;
  /** start() succeeded and no close was reported since. */
  #started = false;
  #startPromise: Promise<void> | undefined;
  #stopPromise: Promise<void> = Promise.resolve();
  #stopDuringStartError: Error | undefined;
  /** Handshake response, parsing and dispatch of what the server sends. */
  readonly #inbound: HubInbound;
  #keepAlive: KeepAlive | undefined;
  #buffer: MessageBuffer | undefined;
  readonly #reconnect: ReconnectLoop | undefined;

  /** @throws ClientError `ERR_CLIENT_INVALID_OPTION` for a bad option. */
  constructor(options: HubConnectionOptions) {
    this.#options = resolveOptions(options);
    this.#protocol = this.#options.protocol;
    this.#methods = new ClientMethods(this.#options.logger);
    this.#events = new ConnectionEvents(this.#options.logger);
    this.#pingBytes = this.#protocol.writeMessage({ type: MessageType.Ping });
    this.#connection = createHttpConnection(this.#options);
    this.#inbound = new HubInbound({
      protocol: this.#protocol,
      methods: this.#methods,
      invocations: this.#invocations,
      logger: this.#options.logger,
      buffer: () => this.#buffer,
      sendHubMessage: (message) => this.#sendHubMessage(message),
      dropConnection: (error) => void this.#connection.stop(error),
      stopFromServer: (error) => {
        this.#stopPromise = this.#stopInternal(error);
      },
    });
    this.#connection.onreceive = (data) => {
      this.#keepAlive?.received();
      this.#inbound.receive(data);
    };
    this.#connection.onclose = (error) => this.#connectionClosed(error);
    const policy = this.#options.reconnectPolicy;
    this.#reconnect = policy === undefined ? undefined : new ReconnectLoop(policy, {
      reconnecting: () => this.#state === HubConnectionState.Reconnecting,
      stopping: () => this.#state === HubConnectionState.Disconnecting,
      begin: (reason) => {
        this.#state = HubConnectionState.Reconnecting;
        this.#events.emit('reconnecting', reason);
      },
      attempt: async () => {
        await this.#startInternal();
        this.#state = HubConnectionState.Connected;
        this.#events.emit('reconnected', this.connectionId);
      },
      close: (error) => this.#completeClose(error),
    }, this.#options.logger);
  }

  get state(): HubConnectionState {
    return this.#state;
  }

  /** The server's id for this connection: null when not connected or when negotiation was skipped. */
  get connectionId(): string | null {
    return this.#connection.connectionId;
  }

  /**
   * The transport in use (`'WebSockets'`, `'ServerSentEvents'` or `'LongPolling'`): the one fallback
   * settled on. Null unless connected; it can change across a reconnect.
   */
  get transport(): TransportKind | null {
    return this.#state === HubConnectionState.Connected ? this.#connection.transport : null;
  }

  /**
   * Connects: negotiate, a transport, the handshake.
   * @throws ClientError `ERR_CLIENT_INVALID_STATE` unless Disconnected; otherwise why it failed
   *   (`ERR_CLIENT_NEGOTIATE_FAILED`, `ERR_CLIENT_NO_TRANSPORT`, `ERR_CLIENT_HANDSHAKE_FAILED`…).
   */
  start(): Promise<void> {
    this.#startPromise = this.#startWithTransitions();
    return this.#startPromise;
  }

  /** Closes the connection (sending a Close message when connected); stops reconnecting. */
  async stop(): Promise<void> {
    const startPromise = this.#startPromise;
    this.#stopPromise = this.#stopInternal(undefined);
    await this.#stopPromise;
    // start() reports its own failure to its caller.
    await startPromise?.catch(() => undefined);
  }

  /**
   * Calls a server method and resolves with its result.
   * @throws ClientError `ERR_CLIENT_HUB_ERROR` (the server's message), `ERR_CLIENT_NOT_CONNECTED`,
   *   `ERR_CLIENT_CONNECTION_CLOSED`.
   */
  invoke<K extends InvokeMethodName<TContract>>(method: K, ...args: ServerMethodArgs<TContract, K>): Promise<InvokeResult<TContract, K>> {
    return this.#calls.invoke(method, args) as Promise<InvokeResult<TContract, K>>;
  }

  /** Calls a server method without waiting for it: resolves once the message is sent (or buffered for replay). */
  send<K extends InvokeMethodName<TContract>>(method: K, ...args: ServerMethodArgs<TContract, K>): Promise<void> {
    return this.#calls.send(method, args);
  }

  /**
   * Calls a streaming server method. The call goes out when iteration begins; leave the loop or abort
   * the signal given to `withSignal` to cancel it on the server.
   */
  stream<K extends StreamMethodName<TContract>>(method: K, ...args: ServerMethodArgs<TContract, K>): HubStream<StreamItem<TContract, K>> {
    return this.#calls.stream(method, args);
  }

  /**
   * Handles calls of client method `method` (matched case-insensitively). When the server invokes with a
   * result expected, the handler's return value is sent back. Returns a function that removes the handler.
   */
  on<K extends ClientMethodName<TContract>>(method: K, handler: ClientHandler<TContract, K>): () => void {
    return this.#methods.on(method, handler);
  }

  /** Removes `handler`, or every handler of `method`. */
  off<K extends ClientMethodName<TContract>>(method: K, handler?: ClientHandler<TContract, K>): void {
    this.#methods.off(method, handler);
  }

  /**
   * Called once the connection is closed for good, with the reason: `undefined` after `stop()`, else
   * a ClientError (`ERR_CLIENT_SERVER_CLOSED`, `ERR_CLIENT_TRANSPORT_CLOSED`, `ERR_CLIENT_RECONNECT_FAILED`…).
   * Returns a function that removes the listener.
   */
  onClose(listener: (error: Error | undefined) => void): () => void {
    return this.#events.add('close', listener);
  }

  /** Called when the connection was lost and automatic reconnect begins, with the reason. */
  onReconnecting(listener: (error: Error) => void): () => void {
    return this.#events.add('reconnecting', listener);
  }

  /** Called when automatic reconnect succeeded, with the new connection id. */
  onReconnected(listener: (connectionId: string | null) => void): () => void {
    return this.#events.add('reconnected', listener);
  }

  async #startWithTransitions(): Promise<void> {
    if (this.#state !== HubConnectionState.Disconnected) {
      throw new ClientError(ClientErrorCode.InvalidState, "Cannot start a HubConnection that is not in the 'Disconnected' state.");
    }
    this.#state = HubConnectionState.Connecting;
    try {
      await this.#startInternal();
    } catch (error) {
      this.#state = HubConnectionState.Disconnected;
      throw error;
    }
    this.#state = HubConnectionState.Connected;
    this.#started = true;
  }

  async #startInternal(): Promise<void> {
    this.#stopDuringStartError = undefined;
    // Set up before the transport starts: the response may arrive with the very first bytes.
    this.#inbound.restart();
    await this.#connection.start(this.#protocol.transferFormat);
    try {
      const { statefulReconnect, inherentKeepAlive } = this.#connection.features;
      // Before the handshake: tracked messages count from the first one after it, even in its frame.
      this.#buffer = statefulReconnect ? this.#createBuffer() : undefined;
      this.#connection.resumeHandler = this.#buffer ?? null;
      await this.#sendRaw(handshakeRequest(this.#protocol, statefulReconnect));
      this.#keepAlive = inherentKeepAlive ? undefined : this.#createKeepAlive();
      this.#keepAlive?.start();
      await this.#inbound.handshake.promise;
      // The close may have raced the handshake's success: the continuation then runs after both.
      const stoppedBecause = this.#stopReason();
      if (stoppedBecause !== undefined) throw stoppedBecause;
      if (!inherentKeepAlive) await this.#sendRaw(this.#pingBytes);
    } catch (error) {
      this.#keepAlive?.stop();
      await this.#connection.stop(toError(error));
      throw error;
    }
  }

  #stopInternal(error: Error | undefined): Promise<void> {
    if (this.#state === HubConnectionState.Disconnected) return Promise.resolve();
    if (this.#state === HubConnectionState.Disconnecting) return this.#stopPromise;
    const previous = this.#state;
    this.#state = HubConnectionState.Disconnecting;
    if (this.#reconnect?.cancelDelay() === true) {
      // Between attempts the connection is already down: ending the wait ends the loop.
      this.#completeClose(undefined);
      return Promise.resolve();
    }
    if (previous === HubConnectionState.Connected) {
      // Best effort: tells the server this is a graceful close, not a failure.
      this.#sendRaw(this.#protocol.writeMessage({ type: MessageType.Close })).catch(() => undefined);
    }
    this.#keepAlive?.stop();
    this.#stopDuringStartError = error ?? new ClientError(ClientErrorCode.Aborted, 'The connection was stopped before the hub handshake could complete.');
    return this.#connection.stop(error);
  }

  #connectionClosed(error: Error | undefined): void {
    this.#stopDuringStartError ??= error ?? new ClientError(ClientErrorCode.Aborted, 'The underlying connection was closed before the hub handshake could complete.');
    this.#inbound.handshake.fail(this.#stopDuringStartError);
    this.#invocations.rejectAll(new ClientError(ClientErrorCode.ConnectionClosed, 'Invocation canceled due to the underlying connection being closed.', { cause: error }));
    this.#keepAlive?.stop();
    this.#keepAlive = undefined;
    this.#buffer?.dispose(new ClientError(ClientErrorCode.ConnectionClosed, 'Unable to reconnect to server.', { cause: error }));
    this.#buffer = undefined;
    this.#connection.resumeHandler = null;
    if (this.#state === HubConnectionState.Disconnecting) this.#completeClose(error);
    else if (this.#state === HubConnectionState.Connected && this.#reconnect !== undefined) void this.#reconnect.run(error);
    else if (this.#state === HubConnectionState.Connected) this.#completeClose(error);
    // Connecting / Reconnecting: the pending start fails through #stopDuringStartError.
  }

  #completeClose(error: Error | undefined): void {
    if (!this.#started) return;
    this.#state = HubConnectionState.Disconnected;
    this.#started = false;
    this.#events.emit('close', error);
  }

  /** Read through a method: the field changes behind an await, which narrowing cannot see. */
  #stopReason(): Error | undefined {
    return this.#stopDuringStartError;
  }

  #notConnected(): ClientError | undefined {
    if (this.#state === HubConnectionState.Connected) return undefined;
    return new ClientError(ClientErrorCode.NotConnected, `Cannot send data if the connection is not in the 'Connected' State (it is '${this.#state}').`);
  }

  #sendHubMessage(message: HubMessage): Promise<void> {
    if (this.#buffer !== undefined) return this.#buffer.send(message);
    return this.#sendRaw(this.#protocol.writeMessage(message));
  }

  #sendRaw(bytes: Uint8Array): Promise<void> {
    this.#keepAlive?.sent();
    return this.#connection.send(bytes);
  }

  #createBuffer(): MessageBuffer {
    return new MessageBuffer({
      protocol: this.#protocol,
      send: (bytes) => this.#sendRaw(bytes),
      bufferBytes: this.#options.statefulReconnectBufferBytes,
      onSequenceError: (error) => void this.#connection.stop(error),
    });
  }

  #createKeepAlive(): KeepAlive {
    return new KeepAlive({
      keepAliveIntervalMs: this.#options.keepAliveIntervalMs,
      serverTimeoutMs: this.#options.serverTimeoutMs,
      sendPing: () => {
        if (this.#state === HubConnectionState.Connected) this.#sendRaw(this.#pingBytes).catch(() => undefined);
      },
      onServerTimeout: () => {
        void this.#connection.stop(new ClientError(ClientErrorCode.ServerTimeout, 'Server timeout elapsed without receiving a message from the server.'));
      },
    });
  }
}
