/**
 * What every hub session is and what it writes: its state, the context the hub and the lifetime
 * managers read (protocol, user, request, cancellation signal), the write path with its counting, and
 * stateful reconnect's outbound side (numbered messages kept for replay, acknowledgements).
 * The lifecycle (session-lifecycle.ts) and the inbound side (hub-session.ts) build on it.
 *
 * Memory: a session lives as long as its connection, and there may be 100k of them. Helper methods are
 * TypeScript `private`, not `#private`: every class with `#` methods stamps a brand field (8 B) on each instance.
 */
import { ConnectionsError, ConnectionsErrorCode, type Connection, type ConnectionRequest, type Principal, type TransportKind } from '@switchyard/connections';
import { MessageType, isSequencedMessage, type CloseMessage, type HubMessage, type HubProtocol } from '@switchyard/protocol';
import { CONNECTION_CLOSED_WITH_ERROR, buildErrorMessage } from './error-messages.js';
import { HubCallerContext, type CallerContextSource } from './hub-context.js';
import type { HubEndpoint } from './hub-endpoint.js';
import { childLogger, type Logger } from './logger.js';
import type { HubConnectionContext } from './lifetime/hub-lifetime-manager.js';
import type { SerializedMessage } from './lifetime/serialized-message.js';
import { SessionStreams } from './session-streams.js';
import { InboundQueue, type InboundQueueOwner } from './inbound-queue.js';
import { InvocationBudget } from './limits/invocation-rate.js';
import type { MessageBuffer, MessageBufferOwner } from './message-buffer.js';
import { SessionExtras } from './session-extras.js';

export type SessionState = 'handshaking' | 'connecting' | 'connected' | 'closed';

// The session's booleans, packed into one small integer (SessionCore.flags): a field per flag would
// cost every connection 8 B each.
/** The client's first Ping armed the client timeout. */
export const CLIENT_TIMEOUT_ARMED = 1;
/** Stateful reconnect: the WebSocket dropped and the client has not reconnected yet. */
export const TRANSPORT_LOST = 2;
/** The lifetime manager's onConnected completed: its onDisconnected is owed. */
export const REGISTERED = 4;
/** The hub's onConnected completed: its onDisconnected is owed. */
export const HUB_CONNECTED = 8;

/**
 * The reason of every closed session's signal: the AbortError `abort()` would build, built once.
 * Node constructs a DOMException (with its stack) per `abort()` without a reason, ~14 µs per connection
 * at close; nothing here reads `signal.reason`, and an application sees the same name and message.
 */
const SESSION_CLOSED = new DOMException('This operation was aborted', 'AbortError');

export abstract class SessionCore implements HubConnectionContext, CallerContextSource, InboundQueueOwner, MessageBufferOwner {
  readonly connection: Connection;
  readonly endpoint: HubEndpoint;
  /**
   * What most sessions never use (caller context, signal, streams, replay buffer, rate budget, a partial
   * record, the end promise), created on first use: a connection's memory is mostly what it allocates
   * up front (see bench/ idle), and one field here costs less than seven.
   */
  #extras: SessionExtras | undefined;
  protected state: SessionState = 'handshaking';
  protected hubProtocol: HubProtocol | undefined;
  protected assignedUserId: string | undefined;
  /**
   * When the session last wrote. While handshaking it is when the session began (nothing is written
   * before the handshake response), which is what the handshake timeout counts from: no field of its own.
   */
  protected lastSendAt: number;
  protected lastReceiveAt: number;
  /** {@link CLIENT_TIMEOUT_ARMED}, {@link TRANSPORT_LOST}, {@link REGISTERED}, {@link HUB_CONNECTED}. */
  protected flags = 0;
  /**
   * Dispatch order, invocation slots and read pauses: created on first use, and let go once
   * onConnected has run if nothing waits, so an idle connection holds none (72 B).
   */
  #inbound: InboundQueue | undefined;

  constructor(connection: Connection, endpoint: HubEndpoint) {
    this.connection = connection;
    this.endpoint = endpoint;
    const now = endpoint.heartbeat.touch();
    this.lastSendAt = now;
    this.lastReceiveAt = now;
    const rateLimit = endpoint.options.invocationRateLimit;
    if (rateLimit !== null) this.extras.invocationBudget = new InvocationBudget(rateLimit);
  }

  /** The rarely used parts, created now if they were not. */
  protected get extras(): SessionExtras {
    return (this.#extras ??= new SessionExtras());
  }

  /** `invocationRateLimit` of this connection; undefined when there is none. */
  get invocationBudget(): InvocationBudget | undefined {
    return this.#extras?.invocationBudget;
  }

  /** Bytes of a record that has not ended yet. */
  protected get partial(): Uint8Array | undefined {
    return this.#extras?.partial;
  }
  protected set partial(bytes: Uint8Array | undefined) {
    if (bytes !== undefined || this.#extras !== undefined) this.extras.partial = bytes;
  }

  /** Stateful reconnect (negotiated, version 2 handshake): numbering, acks, replay. Undefined when off. */
  protected get replayBuffer(): MessageBuffer | undefined {
    return this.#extras?.replayBuffer;
  }
  protected set replayBuffer(buffer: MessageBuffer | undefined) {
    if (buffer !== undefined || this.#extras !== undefined) this.extras.replayBuffer = buffer;
  }

  get inbound(): InboundQueue {
    return (this.#inbound ??= new InboundQueue(this));
  }

  /** Reading is paused (waiting invocations, full uploads or onConnected running). */
  protected get inboundPaused(): boolean {
    return this.#inbound?.paused === true;
  }

  /** onConnected has run: dispatches what was held, then drops the queue if nothing is left in it. */
  protected releaseInbound(): void {
    const inbound = this.#inbound;
    if (inbound === undefined) return;
    inbound.release();
    // Upload streams hold the queue as their flow control: it stays while they exist.
    if (inbound.idle && this.#extras?.streams === undefined) this.#inbound = undefined;
  }

  /** The connection closed: nothing waiting will run. */
  protected clearInbound(): void {
    this.#inbound?.clear();
  }

  /** A getter, not a field: one field fewer on every session. */
  get connectionId(): string {
    return this.connection.connectionId;
  }

  /**
   * The app's logger with this connection's id, hub and transport on every line. Built per use, not
   * kept: a session logs a few lines in its life, and a kept child logger (pino's is hundreds of bytes)
   * or even the field for it would cost every idle connection.
   */
  get logger(): Logger {
    const { endpoint, connection } = this;
    return childLogger(endpoint.logger, { connectionId: connection.connectionId, hub: endpoint.hubName, transport: connection.transport });
  }

  get callerContext(): HubCallerContext {
    const extras = this.extras;
    return (extras.callerContext ??= new HubCallerContext(this));
  }

  /** Uploads and server streams of this connection. */
  get streams(): SessionStreams {
    const extras = this.extras;
    return (extras.streams ??= new SessionStreams(this.inbound, this.endpoint.options.streamBufferCapacity));
  }

  // --- HubConnectionContext / CallerContextSource -------------------------------------------------

  get protocol(): HubProtocol {
    if (this.hubProtocol === undefined) throw new Error('The hub protocol is not chosen before the handshake.');
    return this.hubProtocol;
  }
  get userId(): string | undefined {
    return this.assignedUserId;
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
    const extras = this.extras;
    if (extras.abort === undefined) {
      extras.abort = new AbortController();
      if (this.state === 'closed') extras.abort.abort(SESSION_CLOSED);
    }
    return extras.abort.signal;
  }
  get maximumGroups(): number | null {
    return this.endpoint.options.maximumGroupsPerConnection;
  }

  protected hasFlag(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  protected setFlag(flag: number): void {
    this.flags |= flag;
  }

  protected clearFlag(flag: number): void {
    this.flags &= ~flag;
  }

  /** The end of the session: cancels its signal and its streams and uploads (those that exist). */
  protected cancelWork(): void {
    this.#extras?.abort?.abort(SESSION_CLOSED);
    this.#extras?.streams?.abortAll();
  }

  /** A protocol, size or timeout error: Close with the error, the client may reconnect. */
  protected abstract fail(error: Error): void;
  /** `context.abort()` (session-lifecycle.ts). */
  abstract abort(): void;

  // InboundQueueOwner, implemented by the inbound side (hub-session.ts).
  abstract get dispatching(): boolean;
  abstract dispatch(message: HubMessage): boolean;
  abstract pauseReading(): void;
  abstract resumeReading(): void;

  get maxParallelInvocations(): number {
    return this.endpoint.options.maximumParallelInvocationsPerClient;
  }

  // --- outbound -------------------------------------------------------------------------------------

  sendMessage(message: HubMessage): boolean {
    if (this.state === 'closed' || this.hubProtocol === undefined) return false;
    const bytes = this.hubProtocol.writeMessage(message);
    return this.replayBuffer !== undefined && isSequencedMessage(message) ? this.sendTracked(bytes) : this.write(bytes);
  }

  sendSerialized(message: SerializedMessage): boolean {
    if (this.state === 'closed' || this.hubProtocol === undefined) return false;
    const bytes = message.bytesFor(this.hubProtocol);
    // Without the message (bytes from a backplane) it is an Invocation: the only thing sent to many.
    const tracked = this.replayBuffer !== undefined && (message.message === undefined || isSequencedMessage(message.message));
    return tracked ? this.sendTracked(bytes) : this.write(bytes);
  }

  /** Stateful reconnect's buffer, when on (stream pacing waits for its window). */
  get replay(): MessageBuffer | undefined {
    return this.replayBuffer;
  }

  /** MessageBufferOwner: the buffer's sends and replays. */
  writeToTransport(bytes: Uint8Array): boolean {
    return this.write(bytes);
  }

  /** A tracked message under stateful reconnect: numbered, kept for replay, sent when the window allows. */
  private sendTracked(bytes: Uint8Array): boolean {
    if (this.replayBuffer!.send(bytes)) return true;
    // A slow consumer at the hub layer (its acknowledgements lag): counted like the transport's own.
    this.endpoint.instrumentation.outboundDropped(this.connection.transport, 'buffer_full', bytes.byteLength);
    const limit = this.connection.maxBufferedBytes;
    this.fail(new ConnectionsError(ConnectionsErrorCode.BufferFull,
      `More than ${limit} bytes waited for the client's acknowledgements; the client is not keeping up.`));
    return false;
  }

  /** Stateful reconnect: acknowledges what arrived up to `sequenceId`, when there is one. */
  protected sendAck(sequenceId: number | undefined): void {
    if (sequenceId !== undefined) this.write(this.protocol.writeMessage({ type: MessageType.Ack, sequenceId }));
  }

  /** The Close message that ends the session (after the handshake). */
  protected writeClose(error: Error | undefined, allowReconnect: boolean): void {
    let message: CloseMessage;
    if (error !== undefined) {
      const text = buildErrorMessage(CONNECTION_CLOSED_WITH_ERROR, error, this.endpoint.options.enableDetailedErrors);
      message = allowReconnect ? { type: MessageType.Close, error: text, allowReconnect } : { type: MessageType.Close, error: text };
    } else {
      message = allowReconnect ? { type: MessageType.Close, allowReconnect } : { type: MessageType.Close };
    }
    try {
      this.write(this.protocol.writeMessage(message));
    } catch (writeError) {
      this.logger.warn({ err: writeError }, 'could not send Close');
    }
  }

  /** Writes one hub message (`isMessage`: counted as one once accepted; false for the handshake response). */
  protected write(bytes: Uint8Array, isMessage = true): boolean {
    const { endpoint } = this;
    this.lastSendAt = endpoint.heartbeat.now;
    const accepted = this.connection.send(bytes);
    if (accepted && isMessage) endpoint.instrumentation.messagesSent(endpoint.hubName, this.hubProtocol!.name, 1);
    return accepted;
  }
}
