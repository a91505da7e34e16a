/**
 * The client's half of stateful reconnect (signalr-wire.md §2.9), with the official client's rules:
 *
 * - Outbound: every tracked message (Invocation, StreamItem, Completion, StreamInvocation,
 *   CancelInvocation) gets the next sequence id (1, 2, 3…) and stays buffered, serialized, until the
 *   server acknowledges it. The send that takes the buffer to `bufferBytes` or beyond settles only once
 *   acks bring it back under: backpressure, instead of unbounded memory.
 * - Inbound: tracked messages are counted from 1; one Ack with the highest id processed goes out 1 s
 *   after the first unacknowledged receipt (one timer, not one per message), or at once after 16 KiB
 *   arrived unacknowledged. The official client only has the timer, which caps a server's stream at
 *   its replay window per second (100 kB/s by default): the server stops sending when its window is
 *   full of messages we have not acknowledged yet. 16 KiB is well under any sensible window.
 * - Transport lost: stop sending (keep buffering) and ignore everything until the server's Sequence.
 * - Resume (new socket): send Sequence{first unacked id} and replay the buffer in order; messages sent
 *   meanwhile join the replay. Inbound duplicates (ids already processed) are dropped.
 */
import { MessageType, isSequencedMessage, type AckMessage, type HubMessage, type HubProtocol, type SequenceMessage } from '@switchyard/protocol';
import type { ResumeHandler } from './connection.js';
import { ClientError, ClientErrorCode } from './errors.js';

export interface MessageBufferOptions {
  readonly protocol: HubProtocol;
  /** Sends bytes on the connection (rejects while the transport is down). */
  readonly send: (data: Uint8Array) => Promise<void>;
  /** Buffered bytes at which sends wait for acks. */
  readonly bufferBytes: number;
  /** The server resumed from an id we never received: the connection must stop with this error. */
  readonly onSequenceError: (error: ClientError) => void;
  /**
   * Delay between the first unacknowledged receipt and the Ack that covers it.
   * @default 1_000 (ms)
   */
  readonly ackDelayMs?: number;
  /**
   * Received bytes after which an Ack goes out at once, without waiting for the timer.
   * @default 16_384 (bytes)
   */
  readonly ackAfterBytes?: number;
}

interface BufferedMessage {
  readonly id: number;
  readonly bytes: Uint8Array;
  /** Set when this message's send waits for acks (backpressure). */
  release: (() => void) | undefined;
  fail: ((error: Error) => void) | undefined;
}

export class MessageBuffer implements ResumeHandler {
  readonly #options: MessageBufferOptions;
  /** Unacknowledged messages are `#items[#head…]`, ids consecutive. */
  #items: (BufferedMessage | undefined)[] = [];
  #head = 0;
  #bufferedBytes = 0;
  #totalSent = 0;
  #nextReceivingId = 1;
  #latestReceivedId = 0;
  #waitForSequence = false;
  #resuming = false;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #lastAckedId = 0;
  #unackedBytes = 0;
  #disposed = false;

  constructor(options: MessageBufferOptions) {
    this.#options = options;
  }

  /** Bytes sent but not acknowledged yet. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /**
   * Serializes and sends `message`, buffering it when tracked. A send that fails because the transport
   * is down is not an error: the message waits in the buffer for the resume.
   */
  async send(message: HubMessage): Promise<void> {
    const bytes = this.#options.protocol.writeMessage(message);
    let backpressure: Promise<void> | undefined;
    if (isSequencedMessage(message)) {
      const item: BufferedMessage = { id: ++this.#totalSent, bytes, release: undefined, fail: undefined };
      this.#bufferedBytes += bytes.length;
      if (this.#bufferedBytes >= this.#options.bufferBytes) {
        backpressure = new Promise<void>((resolve, reject) => {
          item.release = resolve;
          item.fail = reject;
        });
      }
      this.#items.push(item);
    }
    // While resuming, the replay loop sends what is buffered, in order; sending here would duplicate.
    if (!this.#resuming) {
      try {
        await this.#options.send(bytes);
      } catch {
        this.transportLost();
      }
    }
    await backpressure;
  }

  /** The server processed every tracked message up to `sequenceId`: drop them. */
  ack(message: AckMessage): void {
    const items = this.#items;
    while (this.#head < items.length) {
      const item = items[this.#head]!;
      if (item.id > message.sequenceId) break;
      this.#bufferedBytes -= item.bytes.length;
      item.release?.();
      items[this.#head++] = undefined;
    }
    if (this.#head === items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    if (this.#bufferedBytes < this.#options.bufferBytes) {
      for (let i = this.#head; i < this.#items.length; i++) {
        const item = this.#items[i]!;
        item.release?.();
        item.release = undefined;
        item.fail = undefined;
      }
    }
  }

  /** False for messages to skip: everything before the Sequence after a resume, and duplicates. */
  shouldProcess(message: HubMessage): boolean {
    if (this.#waitForSequence) {
      if (message.type !== MessageType.Sequence) return false;
      this.#waitForSequence = false;
      return true;
    }
    if (!isSequencedMessage(message)) return true;
    const id = this.#nextReceivingId++;
    if (id <= this.#latestReceivedId) {
      // A replayed message we already processed. The server replays only what we did not ack, so
      // reaching the last one means our Ack got lost: send it again.
      if (id === this.#latestReceivedId) this.#scheduleAck();
      return false;
    }
    this.#latestReceivedId = id;
    this.#scheduleAck();
    return true;
  }

  /** The server's Sequence: its next tracked message carries `sequenceId`. */
  resetSequence(message: SequenceMessage): void {
    if (message.sequenceId > this.#nextReceivingId) {
      this.#options.onSequenceError(
        new ClientError(ClientErrorCode.SequenceMismatch, "Sequence ID greater than amount of messages we've received."),
      );
      return;
    }
    this.#nextReceivingId = message.sequenceId;
  }

  transportLost(): void {
    this.#resuming = true;
    this.#waitForSequence = true;
  }

  async resume(): Promise<void> {
    const sequenceId = this.#head < this.#items.length ? this.#items[this.#head]!.id : this.#totalSent + 1;
    await this.#options.send(this.#options.protocol.writeMessage({ type: MessageType.Sequence, sequenceId }));
    // Acks may arrive (and sends may add messages) while we replay: find each next id afresh.
    for (let next = sequenceId; this.#head < this.#items.length; next++) {
      const first = this.#items[this.#head]!.id;
      if (next < first) next = first;
      const item = this.#items[this.#head + (next - first)];
      if (item === undefined) break;
      await this.#options.send(item.bytes);
    }
    this.#resuming = false;
  }

  /** The connection is gone for good: sends waiting on backpressure fail with `error`. */
  dispose(error: Error): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    const items = this.#items;
    this.#items = [];
    this.#head = 0;
    this.#bufferedBytes = 0;
    for (const item of items) item?.fail?.(error);
  }

  /**
   * Counts received bytes (a whole transport chunk, after its messages were processed) and
   * acknowledges at once once enough arrived, so a fast sender never waits for the timer.
   */
  received(byteCount: number): void {
    this.#unackedBytes += byteCount;
    if (this.#unackedBytes < (this.#options.ackAfterBytes ?? 16_384)) return;
    // Pings and acks count as bytes but need no Ack: only acknowledge something new.
    if (this.#latestReceivedId === this.#lastAckedId) this.#unackedBytes = 0;
    else this.#sendAck();
  }

  #scheduleAck(): void {
    if (this.#ackTimer !== undefined || this.#disposed) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      this.#sendAck();
    }, this.#options.ackDelayMs ?? 1_000);
  }

  #sendAck(): void {
    if (this.#resuming || this.#disposed) return;
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#unackedBytes = 0;
    // A duplicate is acknowledged again on purpose (our last Ack may have been lost), see shouldProcess.
    this.#lastAckedId = this.#latestReceivedId;
    // A lost Ack only delays trimming the server's buffer; the next receipt schedules another.
    this.#options.send(this.#options.protocol.writeMessage({ type: MessageType.Ack, sequenceId: this.#latestReceivedId })).catch(() => undefined);
  }
}
