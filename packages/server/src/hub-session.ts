/**
 * One hub connection: handshake, parsing (dispatch order lives in {@link InboundQueue}), keep-alive and
 * timeouts on the shared heartbeat, and the end of the connection (Close message, cancellation,
 * onDisconnected exactly once).
 */
import { ConnectionsError, ConnectionsErrorCode, type Connection, type ConnectionListener, type ConnectionRequest, type Principal, type TransportKind } from '@switchyard/connections';
import {
  MessageType,
  ProtocolErrorCode,
  isProtocolError,
  isSequencedMessage,
  writeHandshakeResponse,
  type CloseMessage,
  type HubMessage,
  type HubProtocol,
} from '@switchyard/protocol';
import { dispatchMessage } from './dispatcher.js';
import { HubException } from './errors.js';
import {
  CLIENT_TIMEOUT,
  CONNECTION_CLOSED_WITH_ERROR,
  HANDSHAKE_CANCELED,
  TERMINATED_MID_MESSAGE,
  buildErrorMessage,
  messageTooLarge,
} from './error-messages.js';
import { readHandshake } from './handshake.js';
import type { HeartbeatMember } from './heartbeat.js';
import { HubCallerContext, type CallerContextSource } from './hub-context.js';
import type { HubEndpoint } from './hub-endpoint.js';
import { LifecycleScope } from './invocation.js';
import { childLogger, type Logger } from './logger.js';
import { createHub } from './hub.js';
import type { HubConnectionContext } from './lifetime/hub-lifetime-manager.js';
import type { SerializedMessage } from './lifetime/serialized-message.js';
import { SessionStreams } from './session-streams.js';
import { slowConsumerClose } from './slow-consumer.js';
import { InboundQueue, type InboundQueueOwner } from './inbound-queue.js';
import { authenticationExpired, authenticationExpiredError } from './limits/authentication-expiry.js';
import { InvocationBudget } from './limits/invocation-rate.js';
import type { HubLimitException } from './errors.js';
import { MessageBuffer, type MessageBufferOwner } from './message-buffer.js';

type SessionState = 'handshaking' | 'connecting' | 'connected' | 'closed';

/** `{}` + 0x1E, shared by every connection (payloads are never modified after send). */
const HANDSHAKE_ACCEPTED = writeHandshakeResponse({});

export class HubSession
  implements ConnectionListener, HubConnectionContext, CallerContextSource, HeartbeatMember, InboundQueueOwner, MessageBufferOwner
{
  readonly connection: Connection;
  readonly endpoint: HubEndpoint;
  readonly connectionId: string;
  // Created on first use, as most idle connections never need them: a connection's memory is mostly
  // what it allocates up front (see bench/ idle).
  #callerContext: HubCallerContext | undefined;
  #logger: Logger | undefined;
  #abort: AbortController | undefined;
  #streams: SessionStreams | undefined;
  #state: SessionState = 'handshaking';
  #protocol: HubProtocol | undefined;
  #userId: string | undefined;
  /** Bytes of a record that has not ended yet. */
  #partial: Uint8Array | undefined;
  #lastSendAt: number;
  #lastReceiveAt: number;
  readonly #handshakeDeadline: number;
  #clientTimeoutArmed = false;
  /** Stateful reconnect (negotiated, version 2 handshake): numbering, acks, replay. Undefined when off. */
  #replay: MessageBuffer | undefined;
  /** Stateful reconnect: the WebSocket dropped and the client has not reconnected yet. */
  #transportLost = false;
  /** Dispatch order, invocation slots and read pauses. */
  readonly inbound: InboundQueue;
  /** `invocationRateLimit` of this connection; undefined when there is none. */
  readonly invocationBudget: InvocationBudget | undefined;
  #registered = false;
  #hubConnected = false;
  #connecting: Promise<void> | undefined;
  #ended: Promise<void> | undefined;

  constructor(connection: Connection, endpoint: HubEndpoint) {
    this.connection = connection;
    this.endpoint = endpoint;
    this.connectionId = connection.connectionId;
    this.inbound = new InboundQueue(this, endpoint.options.maximumParallelInvocationsPerClient);
    const rateLimit = endpoint.options.invocationRateLimit;
    this.invocationBudget = rateLimit === null ? undefined : new InvocationBudget(rateLimit);
    const now = endpoint.heartbeat.touch();
    this.#lastSendAt = now;
    this.#lastReceiveAt = now;
    this.#handshakeDeadline = now + endpoint.options.handshakeTimeoutMs;
    endpoint.sessions.add(this);
    endpoint.heartbeat.add(this);
    if (endpoint.closing) this.#close(undefined, true, undefined);
  }

  /** The app's logger with this connection's id, hub and transport on every line. */
  get logger(): Logger {
    const { endpoint, connection } = this;
    return (this.#logger ??= childLogger(endpoint.logger, { connectionId: connection.connectionId, hub: endpoint.hubName, transport: connection.transport }));
  }

  get callerContext(): HubCallerContext {
    return (this.#callerContext ??= new HubCallerContext(this));
  }

  /** Uploads and server streams of this connection. */
  get streams(): SessionStreams {
    return (this.#streams ??= new SessionStreams(this.inbound, this.endpoint.options.streamBufferCapacity));
  }

  // --- HubConnectionContext / CallerContextSource -------------------------------------------------

  get protocol(): HubProtocol {
    if (this.#protocol === undefined) throw new Error('The hub protocol is not chosen before the handshake.');
    return this.#protocol;
  }
  get userId(): string | undefined {
    return this.#userId;
  }
  get user(): Principal | undefined {
    return this.connection.user;
  }
  get transport(): TransportKind {
    return this.connection.transport;
  }
  get request(): ConnectionRequest {
    return this.connection.request;
  }
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#state === 'closed') this.#abort.abort();
    }
    return this.#abort.signal;
  }
  get maximumGroups(): number | null {
    return this.endpoint.options.maximumGroupsPerConnection;
  }

  sendMessage(message: HubMessage): boolean {
    if (this.#state === 'closed' || this.#protocol === undefined) return false;
    const bytes = this.#protocol.writeMessage(message);
    return this.#replay !== undefined && isSequencedMessage(message) ? this.#sendTracked(bytes) : this.#write(bytes);
  }

  sendSerialized(message: SerializedMessage): boolean {
    if (this.#state === 'closed' || this.#protocol === undefined) return false;
    const bytes = message.bytesFor(this.#protocol);
    // Without the message (bytes from a backplane) it is an Invocation: the only thing sent to many.
    const tracked = this.#replay !== undefined && (message.message === undefined || isSequencedMessage(message.message));
    return tracked ? this.#sendTracked(bytes) : this.#write(bytes);
  }

  /** Stateful reconnect's buffer, when on (stream pacing waits for its window). */
  get replay(): MessageBuffer | undefined {
    return this.#replay;
  }

  /** `context.abort()`: no stateful reconnect any more; Close without allowReconnect, then onDisconnected(undefined). */
  abort(): void {
    // Closing first: a lost transport then ends as an abort (onDisconnected without an error).
    this.#close(undefined, false, undefined);
    this.connection.resumable = false;
  }

  /** A limit or policy ends the connection: Close with its text (a HubException's is always shown). */
  closeForLimit(error: HubLimitException, allowReconnect: boolean): void {
    this.#close(error, allowReconnect, error);
  }

  /** App shutdown: Close {allowReconnect: true}; resolves once onDisconnected has run. */
  shutdown(): Promise<void> {
    this.#close(undefined, true, undefined);
    return this.#ended ?? Promise.resolve();
  }

  // --- ConnectionListener ----------------------------------------------------------------------------

  onData(payload: Uint8Array): void {
    if (this.#state === 'closed') return;
    this.#lastReceiveAt = this.endpoint.heartbeat.now;
    const input = this.#partial === undefined ? payload : concat(this.#partial, payload);
    this.#partial = undefined;
    if (this.#state === 'handshaking') this.#receiveHandshake(input);
    else this.#receiveMessages(input);
  }

  onClose(error?: Error): void {
    // As on .NET, a transport that ends inside a hub message did not end gracefully.
    if (error === undefined && this.#partial !== undefined && this.#state !== 'handshaking') {
      const truncated = new Error(TERMINATED_MID_MESSAGE);
      truncated.name = 'InvalidDataException';
      this.#fail(truncated);
      return;
    }
    this.#close(undefined, true, error);
  }

  /** Slow consumer: the session ends now, and the transport delivers this Close, with the reason, last. */
  onBufferFull(error: Error): Uint8Array | undefined {
    if (this.#state === 'closed' || this.#protocol === undefined) return undefined;
    const close = slowConsumerClose(this.#protocol, error);
    this.endpoint.logger.warn({ connectionId: this.connectionId, err: error }, 'closing a slow consumer');
    // The connection takes no more sends: #close's own Close is not written, this one is.
    this.#close(error, true, error);
    return close;
  }

  onTransportLost(error: Error): void {
    if (this.#state === 'closed') return;
    this.logger.debug({ err: error }, 'transport lost; waiting for the client to reconnect');
    this.#transportLost = true;
    // The rest of that record died with the socket: the client replays the whole message.
    this.#partial = undefined;
    this.#replay?.lost();
  }

  onTransportResumed(): void {
    if (this.#state === 'closed') return;
    this.logger.debug('transport resumed');
    this.#transportLost = false;
    this.#lastReceiveAt = this.endpoint.heartbeat.now;
    this.#replay?.resumed();
  }

  // --- inbound ------------------------------------------------------------------------------------

  #receiveHandshake(input: Uint8Array): void {
    const { endpoint } = this;
    const outcome = readHandshake(input, this.connection, endpoint.handshakeSettings);
    switch (outcome.kind) {
      case 'incomplete':
        this.#partial = input;
        return;
      case 'rejected':
        this.#rejectHandshake(outcome.error, outcome.cause);
        return;
      case 'accepted':
        this.#protocol = outcome.protocol;
        this.connection.transferFormat = outcome.protocol.transferFormat;
        this.#userId = endpoint.options.userIdProvider(this.connection);
        if (this.connection.statefulReconnect && outcome.version >= 2) {
          const { statefulReconnectBufferSize } = endpoint.options;
          this.#replay = new MessageBuffer(this, outcome.protocol, statefulReconnectBufferSize, this.connection.maxBufferedBytes);
          this.connection.resumable = true;
        }
        this.#state = 'connecting';
        // Until onConnected has finished, messages wait.
        this.inbound.hold();
        this.#write(HANDSHAKE_ACCEPTED, false);
        // The request serializes redacted (no access or connection token, no Authorization, no cookie).
        this.logger.debug({ protocol: outcome.protocol.name, request: this.connection.request }, 'hub handshake completed');
        this.#connecting = this.#connect();
        if (outcome.rest.length > 0) this.#receiveMessages(outcome.rest);
        return;
    }
  }

  #rejectHandshake(error: string, cause?: unknown): void {
    this.logger.warn({ error, cause }, 'hub handshake failed');
    this.connection.send(writeHandshakeResponse({ error }));
    this.#close(undefined, false, undefined);
  }

  #receiveMessages(input: Uint8Array): void {
    let messages: HubMessage[];
    try {
      const result = this.protocol.parseMessages(input, this.endpoint.parseOptions);
      messages = result.messages;
      this.endpoint.instrumentation.messagesReceived(this.endpoint.hubName, this.#protocol!.name, messages.length);
      if (result.rest.length > 0) this.#partial = result.rest;
    } catch (error) {
      this.logger.warn({ err: error }, 'closing a hub connection after invalid input');
      // As .NET does, the messages ahead of the bad one are dispatched before the Close, so a method
      // that answers at once still sends its Completion first.
      if (isProtocolError(error)) this.#deliver(error.messagesBeforeError, 0);
      this.#fail(inputError(error, this.endpoint.options.maximumReceiveMessageSize));
      return;
    }
    this.#deliver(messages, input.byteLength);
  }

  #deliver(messages: HubMessage[], byteLength: number): void {
    const replay = this.#replay;
    if (replay !== undefined) {
      try {
        replay.filterInbound(messages, byteLength);
      } catch (error) {
        this.#fail(toError(error));
        return;
      }
      this.#sendAck(replay.takeDueAck());
    }
    this.inbound.receive(messages);
  }

  // --- InboundQueueOwner ----------------------------------------------------------------------------

  get dispatching(): boolean {
    return this.#state === 'connected';
  }

  dispatch(message: HubMessage): boolean {
    return dispatchMessage(this, message);
  }

  pauseReading(): void {
    this.connection.pause();
  }

  resumeReading(): void {
    // Time spent paused was ours, not the client's.
    this.#lastReceiveAt = this.endpoint.heartbeat.now;
    if (this.#state !== 'closed') this.connection.resume();
  }

  // --- used by the dispatcher -----------------------------------------------------------------------

  /** The client's first Ping arms the client timeout (as in .NET). */
  armClientTimeout(): void {
    this.#clientTimeoutArmed = true;
  }

  /** The client sent Close: a graceful end; `error` (if the client gave one) reaches onDisconnected. */
  closeFromClient(error: string | undefined): void {
    this.#close(undefined, false, error === undefined ? undefined : new HubException(error));
  }

  // --- heartbeat ------------------------------------------------------------------------------------

  onHeartbeat(now: number): void {
    const { options } = this.endpoint;
    if (this.#state === 'handshaking') {
      if (now >= this.#handshakeDeadline) this.#rejectHandshake(HANDSHAKE_CANCELED);
      return;
    }
    const user = this.connection.user;
    if (user?.expiresAt !== undefined && options.closeOnAuthenticationExpiration && authenticationExpired(user)) {
      this.logger.debug('authentication expired; closing the connection');
      this.closeForLimit(authenticationExpiredError(), true);
      return;
    }
    // Long polling has inherent keep-alive: every poll is one.
    if (this.connection.transport !== 'LongPolling' && now - this.#lastSendAt >= options.keepAliveIntervalMs) {
      this.#write(this.endpoint.pingBytes(this.protocol));
    }
    this.#sendAck(this.#replay?.takeAck());
    // A client reconnecting is not a silent client: its time starts again when it is back.
    if (this.#clientTimeoutArmed && !this.#transportLost && !this.inbound.paused && now - this.#lastReceiveAt >= options.clientTimeoutMs) {
      const error = new Error(CLIENT_TIMEOUT);
      error.name = 'OperationCanceledException';
      this.logger.debug('client timeout elapsed');
      this.#fail(error);
    }
  }

  // --- lifecycle ------------------------------------------------------------------------------------

  async #connect(): Promise<void> {
    await this.#runConnect();
    // Settled: #disconnect has nothing to wait for, and an idle session keeps no promise.
    this.#connecting = undefined;
  }

  async #runConnect(): Promise<void> {
    const { endpoint } = this;
    try {
      await endpoint.manager.onConnected(this);
      this.#registered = true;
      if (this.#closed) return;
      const hub = createHub(endpoint.hubClass, new LifecycleScope(this, false));
      await hub.onConnected();
    } catch (error) {
      this.logger.error({ err: error }, 'onConnected failed');
      // The client must not reconnect into the same failure.
      this.#close(toError(error), false, undefined);
      return;
    }
    // From here on onDisconnected is owed, even if the connection ended while onConnected ran.
    this.#hubConnected = true;
    if (this.#closed) return;
    this.#state = 'connected';
    this.inbound.release();
  }

  /** A method, not a field read, so narrowing does not survive the awaits above. */
  get #closed(): boolean {
    return this.#state === 'closed';
  }

  /** A protocol, size or timeout error: Close with the error, the client may reconnect. */
  #fail(error: Error): void {
    this.#close(error, true, error);
  }

  /**
   * Ends the session once: sends Close (after the handshake), ends the transport, cancels streams,
   * uploads and pending client results, then runs onDisconnected and unregisters.
   */
  #close(closeError: Error | undefined, allowReconnect: boolean, disconnectError: Error | undefined): void {
    if (this.#state === 'closed') return;
    const handshaking = this.#state === 'handshaking';
    this.#state = 'closed';
    this.endpoint.heartbeat.delete(this);
    // A graceful end delivers what waits for the replay window first; a failure does not wait for it.
    if (closeError === undefined) this.#replay?.flushWaiting();
    if (!handshaking) this.#writeClose(closeError, allowReconnect);
    this.#replay?.dispose();
    this.inbound.clear();
    this.#partial = undefined;
    this.connection.close();
    // Reading may still be paused (onConnected running, invocations waiting for a slot, full uploads),
    // and nothing will resume it now. Let the transport read again, although the session ignores what
    // comes: a paused WebSocket never reads the peer's close frame, so it would finish closing only
    // when the close timeout kills it (and app.close() would wait that long).
    this.connection.resume();
    this.#abort?.abort();
    this.#streams?.abortAll();
    if (handshaking) {
      this.endpoint.sessions.delete(this);
      return;
    }
    this.#ended = this.#disconnect(disconnectError);
  }

  #writeClose(error: Error | undefined, allowReconnect: boolean): void {
    let message: CloseMessage;
    if (error !== undefined) {
      const text = buildErrorMessage(CONNECTION_CLOSED_WITH_ERROR, error, this.endpoint.options.enableDetailedErrors);
      message = allowReconnect ? { type: MessageType.Close, error: text, allowReconnect } : { type: MessageType.Close, error: text };
    } else {
      message = allowReconnect ? { type: MessageType.Close, allowReconnect } : { type: MessageType.Close };
    }
    try {
      this.#write(this.protocol.writeMessage(message));
    } catch (writeError) {
      this.logger.warn({ err: writeError }, 'could not send Close');
    }
  }

  async #disconnect(error: Error | undefined): Promise<void> {
    const { endpoint } = this;
    try {
      await this.#connecting;
      if (this.#hubConnected) {
        const hub = createHub(endpoint.hubClass, new LifecycleScope(this, true));
        await hub.onDisconnected(error);
      }
    } catch (hubError) {
      this.logger.error({ err: hubError }, 'onDisconnected failed');
    }
    try {
      if (this.#registered) await endpoint.manager.onDisconnected(this);
    } catch (managerError) {
      this.logger.error({ err: managerError }, 'lifetime manager onDisconnected failed');
    }
    endpoint.sessions.delete(this);
  }

  /** MessageBufferOwner: the buffer's sends and replays. */
  writeToTransport(bytes: Uint8Array): boolean {
    return this.#write(bytes);
  }

  /** A tracked message under stateful reconnect: numbered, kept for replay, sent when the window allows. */
  #sendTracked(bytes: Uint8Array): boolean {
    if (this.#replay!.send(bytes)) return true;
    // A slow consumer at the hub layer (its acknowledgements lag): counted like the transport's own.
    this.endpoint.instrumentation.outboundDropped(this.connection.transport, 'buffer_full', bytes.byteLength);
    const limit = this.connection.maxBufferedBytes;
    this.#fail(new ConnectionsError(ConnectionsErrorCode.BufferFull,
      `More than ${limit} bytes waited for the client's acknowledgements; the client is not keeping up.`));
    return false;
  }

  /** Stateful reconnect: acknowledges what arrived up to `sequenceId`, when there is one. */
  #sendAck(sequenceId: number | undefined): void {
    if (sequenceId !== undefined) this.#write(this.protocol.writeMessage({ type: MessageType.Ack, sequenceId }));
  }

  /** Writes one hub message (`isMessage`: counted as one once accepted; false for the handshake response). */
  #write(bytes: Uint8Array, isMessage = true): boolean {
    const { endpoint } = this;
    this.#lastSendAt = endpoint.heartbeat.now;
    const accepted = this.connection.send(bytes);
    if (accepted && isMessage) endpoint.instrumentation.messagesSent(endpoint.hubName, this.#protocol!.name, 1);
    return accepted;
  }
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head, 0);
  joined.set(tail, head.length);
  return joined;
}

/** The error a parse failure closes the connection with; an oversized message gets .NET's exact text. */
function inputError(error: unknown, maxBytes: number | null): Error {
  if (isProtocolError(error) && error.code === ProtocolErrorCode.MessageTooLarge && maxBytes !== null) {
    const tooLarge = new Error(messageTooLarge(maxBytes));
    tooLarge.name = 'InvalidDataException';
    return tooLarge;
  }
  return toError(error);
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
