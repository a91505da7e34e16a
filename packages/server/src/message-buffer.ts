/**
 * The hub half of stateful reconnect (wire reference §2.9), one per connection that negotiated it and
 * shook hands with version 2. Each direction numbers its tracked messages (types 1–5) 1, 2, 3…;
 * Ping, Close, Ack and Sequence are never numbered.
 *
 * Outbound: every tracked message is kept, encoded, until the client acknowledges it. At most
 * `windowBytes` (`statefulReconnectBufferSize`) are sent and unacknowledged at a time; later messages
 * wait here in order and go out as Acks arrive (.NET's writers wait the same way), and at most
 * `maxWaitingBytes` may wait. After a new WebSocket took over: `Sequence{oldest unacknowledged id}`,
 * then every sent-but-unacknowledged message again, then the waiting ones as the window allows.
 *
 * Inbound: after a takeover everything is ignored until the client's Sequence; tracked messages whose
 * id was already received are duplicates of its replay and dropped. Acks are consumed here; the
 * highest id received goes back as an Ack on the heartbeat, and at once when a quarter of the window
 * (in bytes) arrived since the last Ack: a client's replay buffer is also its upload window (the
 * official client's is 100 kB), so acknowledging once a second alone would cap uploads near one
 * window per second.
 */
import { MessageType, isSequencedMessage, type HubMessage, type HubProtocol } from '@switchyard/protocol';
import { SEQUENCE_AHEAD } from './error-messages.js';

/** Where the buffer writes: the session's transport. */
export interface MessageBufferOwner {
  /** Hands bytes to the transport; false when it cannot take them (lost or ended). */
  writeToTransport(bytes: Uint8Array): boolean;
}

/** Above this many acknowledged slots at the front, the array is compacted. */
const COMPACT_AFTER = 1024;

export class MessageBuffer {
  readonly #owner: MessageBufferOwner;
  readonly #protocol: HubProtocol;
  readonly #windowBytes: number;
  readonly #maxWaitingBytes: number;
  /** Unacknowledged messages from `#head`, oldest first: `#sentCount` sent, the rest waiting. */
  #messages: (Uint8Array | undefined)[] = [];
  #head = 0;
  /** The id of `#messages[#head]`, or of the next message when none is kept. */
  #firstId = 1;
  #sentCount = 0;
  #sentBytes = 0;
  #waitingBytes = 0;
  #connected = true;
  #disposed = false;
  #roomWaiters: (() => void)[] | undefined;
  /** The id the next tracked inbound message gets. */
  #nextInboundId = 1;
  #latestReceivedId = 0;
  #ackedId = 0;
  /** Inbound bytes since the last Ack; at {@link #ackEveryBytes} an Ack is due without waiting for the heartbeat. */
  #unackedBytes = 0;
  readonly #ackEveryBytes: number;
  #awaitingSequence = false;

  constructor(owner: MessageBufferOwner, protocol: HubProtocol, windowBytes: number, maxWaitingBytes: number) {
    this.#owner = owner;
    this.#protocol = protocol;
    this.#windowBytes = windowBytes;
    this.#maxWaitingBytes = maxWaitingBytes;
    this.#ackEveryBytes = Math.max(1, Math.floor(windowBytes / 4));
  }

  /** True when a new tracked message would wait: the window is full or the transport is lost. */
  get mustWait(): boolean {
    if (this.#disposed) return false;
    return !this.#connected || this.#messages.length - this.#head > this.#sentCount || this.#sentBytes >= this.#windowBytes;
  }

  /** Bytes kept for replay (sent and unacknowledged, plus waiting). */
  get bufferedBytes(): number {
    return this.#sentBytes + this.#waitingBytes;
  }

  /** Resolves once {@link mustWait} is false, or the buffer is disposed. */
  whenRoom(): Promise<void> {
    if (!this.mustWait) return Promise.resolve();
    return new Promise<void>((resolve) => (this.#roomWaiters ??= []).push(resolve));
  }

  /**
   * Numbers and keeps a tracked message, and sends it unless it must wait. Returns false when it had to
   * wait and the waiting messages now exceed `maxWaitingBytes` (the session then fails the connection).
   */
  send(bytes: Uint8Array): boolean {
    const waiting = this.#messages.length - this.#head - this.#sentCount;
    this.#messages.push(bytes);
    if (waiting === 0 && this.#connected && this.#sentBytes < this.#windowBytes) {
      this.#sentCount++;
      this.#sentBytes += bytes.byteLength;
      this.#owner.writeToTransport(bytes);
      return true;
    }
    this.#waitingBytes += bytes.byteLength;
    return this.#waitingBytes <= this.#maxWaitingBytes;
  }

  /**
   * Filters freshly parsed messages in place: consumes Acks and Sequence, drops duplicates and, after a
   * takeover, everything before the client's Sequence. `byteLength`: the input they were parsed from,
   * counted towards the next Ack ({@link takeDueAck}).
   * @throws Error (InvalidOperationException) when the client's Sequence is ahead of what was received.
   */
  filterInbound(messages: HubMessage[], byteLength: number): void {
    this.#unackedBytes += byteLength;
    let kept = 0;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      if (this.#accept(message)) messages[kept++] = message;
    }
    messages.length = kept;
  }

  /** The id to acknowledge now, once per new receipt; undefined when there is nothing new (or no transport). */
  takeAck(): number | undefined {
    if (!this.#connected || this.#latestReceivedId <= this.#ackedId) return undefined;
    this.#ackedId = this.#latestReceivedId;
    this.#unackedBytes = 0;
    return this.#ackedId;
  }

  /** Like {@link takeAck}, but only once a quarter of the window arrived since the last Ack. */
  takeDueAck(): number | undefined {
    return this.#unackedBytes >= this.#ackEveryBytes ? this.takeAck() : undefined;
  }

  /** The transport dropped: sending stops; everything kept stays for the replay. */
  lost(): void {
    this.#connected = false;
  }

  /** A new transport took over: Sequence, then the replay; inbound waits for the client's Sequence. */
  resumed(): void {
    this.#connected = true;
    this.#awaitingSequence = true;
    this.#owner.writeToTransport(this.#protocol.writeMessage({ type: MessageType.Sequence, sequenceId: this.#firstId }));
    for (let i = 0; i < this.#sentCount; i++) this.#owner.writeToTransport(this.#messages[this.#head + i]!);
    this.#pump();
  }

  /** Before a graceful Close: sends what waits, window or not, so the client gets it before the Close. */
  flushWaiting(): void {
    if (!this.#connected) return;
    while (this.#head + this.#sentCount < this.#messages.length) {
      const bytes = this.#messages[this.#head + this.#sentCount++]!;
      this.#sentBytes += bytes.byteLength;
      this.#waitingBytes -= bytes.byteLength;
      this.#owner.writeToTransport(bytes);
    }
  }

  /** The connection ended: releases the messages and whoever waits for room. */
  dispose(): void {
    this.#disposed = true;
    this.#connected = false;
    this.#messages = [];
    this.#head = 0;
    this.#sentCount = 0;
    this.#sentBytes = 0;
    this.#waitingBytes = 0;
    this.#releaseWaiters();
  }

  #accept(message: HubMessage): boolean {
    if (message.type === MessageType.Sequence) {
      if (message.sequenceId > this.#nextInboundId) {
        const error = new Error(SEQUENCE_AHEAD);
        error.name = 'InvalidOperationException';
        throw error;
      }
      this.#nextInboundId = message.sequenceId;
      this.#awaitingSequence = false;
      return false;
    }
    if (this.#awaitingSequence) return false;
    if (message.type === MessageType.Ack) {
      this.#ack(message.sequenceId);
      return false;
    }
    if (!isSequencedMessage(message)) return true;
    const id = this.#nextInboundId++;
    if (id <= this.#latestReceivedId) return false;
    this.#latestReceivedId = id;
    return true;
  }

  /** Drops the sent messages up to `sequenceId` and sends waiting ones into the freed window. */
  #ack(sequenceId: number): void {
    const messages = this.#messages;
    while (this.#sentCount > 0 && this.#firstId <= sequenceId) {
      this.#sentBytes -= messages[this.#head]!.byteLength;
      messages[this.#head++] = undefined;
      this.#sentCount--;
      this.#firstId++;
    }
    if (this.#head > COMPACT_AFTER && this.#head * 2 > messages.length) {
      messages.copyWithin(0, this.#head);
      messages.length -= this.#head;
      this.#head = 0;
    }
    this.#pump();
  }

  #pump(): void {
    const messages = this.#messages;
    while (this.#connected && this.#head + this.#sentCount < messages.length && this.#sentBytes < this.#windowBytes) {
      const bytes = messages[this.#head + this.#sentCount++]!;
      this.#sentBytes += bytes.byteLength;
      this.#waitingBytes -= bytes.byteLength;
      this.#owner.writeToTransport(bytes);
    }
    if (this.#roomWaiters !== undefined && !this.mustWait) this.#releaseWaiters();
  }

  #releaseWaiters(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve();
  }
}
