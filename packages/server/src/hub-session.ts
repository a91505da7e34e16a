/**
 * One hub connection, its inbound side: the handshake phase, parsing and handing messages to the
 * dispatcher (dispatch order lives in {@link InboundQueue}), stateful reconnect's inbound glue
 * (transport lost/resumed, replay filtering), and keep-alive and timeouts on the shared heartbeat.
 * What it is and writes: session-core.ts; onConnected, the close path and onDisconnected: session-lifecycle.ts.
 */
import type { Connection, ConnectionListener } from '@switchyard/connections';
import { isProtocolError, writeHandshakeResponse, type HubMessage } from '@switchyard/protocol';
import { dispatchMessage } from './dispatcher.js';
import { CLIENT_TIMEOUT, HANDSHAKE_CANCELED, TERMINATED_MID_MESSAGE } from './error-messages.js';
import { readHandshake } from './handshake.js';
import type { HubEndpoint } from './hub-endpoint.js';
import { slowConsumerClose } from './slow-consumer.js';
import { authenticationExpired, authenticationExpiredError } from './limits/authentication-expiry.js';
import { MessageBuffer } from './message-buffer.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { CLIENT_TIMEOUT_ARMED, TRANSPORT_LOST } from './session-core.js';
import { concat, inputError, toError } from './session-input.js';

/** `{}` + 0x1E, shared by every connection (payloads are never modified after send). */
const HANDSHAKE_ACCEPTED = writeHandshakeResponse({});

export class HubSession extends SessionLifecycle implements ConnectionListener {
  constructor(connection: Connection, endpoint: HubEndpoint) {
    super(connection, endpoint);
    endpoint.addSession(this);
    if (endpoint.closing) this.close(undefined, true, undefined);
  }

  // --- ConnectionListener ----------------------------------------------------------------------------

  onData(payload: Uint8Array): void {
    if (this.state === 'closed') return;
    this.lastReceiveAt = this.endpoint.heartbeat.now;
    const input = this.partial === undefined ? payload : concat(this.partial, payload);
    this.partial = undefined;
    if (this.state === 'handshaking') this.receiveHandshake(input);
    else this.receiveMessages(input);
  }

  onClose(error?: Error): void {
    // As on .NET, a transport that ends inside a hub message did not end gracefully.
    if (error === undefined && this.partial !== undefined && this.state !== 'handshaking') {
      const truncated = new Error(TERMINATED_MID_MESSAGE);
      truncated.name = 'InvalidDataException';
      this.fail(truncated);
      return;
    }
    this.close(undefined, true, error);
  }

  /** Slow consumer: the session ends now, and the transport delivers this Close, with the reason, last. */
  onBufferFull(error: Error): Uint8Array | undefined {
    if (this.state === 'closed' || this.hubProtocol === undefined) return undefined;
    const close = slowConsumerClose(this.hubProtocol, error);
    this.logger.warn({ err: error }, 'closing a slow consumer');
    // The connection takes no more sends: close's own Close is not written, this one is.
    this.close(error, true, error);
    return close;
  }

  onTransportLost(error: Error): void {
    if (this.state === 'closed') return;
    this.logger.debug({ err: error }, 'transport lost; waiting for the client to reconnect');
    this.setFlag(TRANSPORT_LOST);
    // The rest of that record died with the socket: the client replays the whole message.
    this.partial = undefined;
    this.replayBuffer?.lost();
  }

  onTransportResumed(): void {
    if (this.state === 'closed') return;
    this.logger.debug('transport resumed');
    this.clearFlag(TRANSPORT_LOST);
    this.lastReceiveAt = this.endpoint.heartbeat.now;
    this.replayBuffer?.resumed();
  }

  // --- handshake ------------------------------------------------------------------------------------

  private receiveHandshake(input: Uint8Array): void {
    const { endpoint } = this;
    const outcome = readHandshake(input, this.connection, endpoint.handshakeSettings);
    switch (outcome.kind) {
      case 'incomplete':
        this.partial = input;
        return;
      case 'rejected':
        this.rejectHandshake(outcome.error, outcome.cause);
        return;
      case 'accepted':
        this.hubProtocol = outcome.protocol;
        this.connection.transferFormat = outcome.protocol.transferFormat;
        this.assignedUserId = endpoint.options.userIdProvider(this.connection);
        if (this.connection.statefulReconnect && outcome.version >= 2) {
          const { statefulReconnectBufferSize } = endpoint.options;
          this.replayBuffer = new MessageBuffer(this, outcome.protocol, statefulReconnectBufferSize, this.connection.maxBufferedBytes);
          this.connection.resumable = true;
        }
        this.state = 'connecting';
        // Until onConnected has finished, messages wait.
        this.inbound.hold();
        this.write(HANDSHAKE_ACCEPTED, false);
        // The request serializes redacted (no access or connection token, no Authorization, no cookie).
        this.logger.debug({ protocol: outcome.protocol.name, request: this.connection.request }, 'hub handshake completed');
        this.startConnecting();
        if (outcome.rest.length > 0) this.receiveMessages(outcome.rest);
        return;
    }
  }

  private rejectHandshake(error: string, cause?: unknown): void {
    this.logger.warn({ error, cause }, 'hub handshake failed');
    this.connection.send(writeHandshakeResponse({ error }));
    this.close(undefined, false, undefined);
  }

  // --- inbound ------------------------------------------------------------------------------------

  private receiveMessages(input: Uint8Array): void {
    let messages: HubMessage[];
    try {
      const result = this.protocol.parseMessages(input, this.endpoint.parseOptions);
      messages = result.messages;
      this.endpoint.instrumentation.messagesReceived(this.endpoint.hubName, this.hubProtocol!.name, messages.length);
      if (result.rest.length > 0) this.partial = result.rest;
    } catch (error) {
      this.logger.warn({ err: error }, 'closing a hub connection after invalid input');
      // As .NET does, the messages ahead of the bad one are dispatched before the Close, so a method
      // that answers at once still sends its Completion first.
      if (isProtocolError(error)) this.deliver(error.messagesBeforeError, 0);
      this.fail(inputError(error, this.endpoint.options.maximumReceiveMessageSize));
      return;
    }
    this.deliver(messages, input.byteLength);
  }

  private deliver(messages: HubMessage[], byteLength: number): void {
    const replay = this.replayBuffer;
    if (replay !== undefined) {
      try {
        replay.filterInbound(messages, byteLength);
      } catch (error) {
        this.fail(toError(error));
        return;
      }
      this.sendAck(replay.takeDueAck());
    }
    this.inbound.receive(messages);
  }

  // --- InboundQueueOwner ----------------------------------------------------------------------------

  get dispatching(): boolean {
    return this.state === 'connected';
  }

  dispatch(message: HubMessage): boolean {
    return dispatchMessage(this, message);
  }

  pauseReading(): void {
    this.connection.pause();
  }

  resumeReading(): void {
    // Time spent paused was ours, not the client's.
    this.lastReceiveAt = this.endpoint.heartbeat.now;
    if (this.state !== 'closed') this.connection.resume();
  }

  // --- used by the dispatcher -----------------------------------------------------------------------

  /** The client's first Ping arms the client timeout (as in .NET). */
  armClientTimeout(): void {
    this.setFlag(CLIENT_TIMEOUT_ARMED);
  }

  // --- heartbeat ------------------------------------------------------------------------------------

  onHeartbeat(now: number, wallClockMs: number): void {
    const { options } = this.endpoint;
    if (this.state === 'closed') return;
    if (this.state === 'handshaking') {
      // lastSendAt is the session's start until the handshake response is written (session-core.ts).
      if (now - this.lastSendAt >= options.handshakeTimeoutMs) this.rejectHandshake(HANDSHAKE_CANCELED);
      return;
    }
    if (options.closeOnAuthenticationExpiration && authenticationExpired(this.connection.user, wallClockMs)) {
      this.logger.debug('authentication expired; closing the connection');
      this.closeForLimit(authenticationExpiredError(), true);
      return;
    }
    // Long polling has inherent keep-alive: every poll is one.
    if (this.connection.transport !== 'LongPolling' && now - this.lastSendAt >= options.keepAliveIntervalMs) {
      this.write(this.endpoint.pingBytes(this.protocol));
    }
    this.sendAck(this.replayBuffer?.takeAck());
    // A client reconnecting is not a silent client: its time starts again when it is back.
    if (this.hasFlag(CLIENT_TIMEOUT_ARMED) && !this.hasFlag(TRANSPORT_LOST) && !this.inboundPaused && now - this.lastReceiveAt >= options.clientTimeoutMs) {
      const error = new Error(CLIENT_TIMEOUT);
      error.name = 'OperationCanceledException';
      this.logger.debug('client timeout elapsed');
      this.fail(error);
    }
  }
}

