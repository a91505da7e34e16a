/**
 * A connection's outbound side: `send` queues the payload and schedules a flush (flush-scheduler.ts);
 * the flush concatenates what was queued in that turn and hands it to the transport sink in one write.
 * Past `maxBufferedBytes` the slow-consumer policy ends the connection; `whenDrained` waiters settle as
 * the buffer empties.
 */
import { CLOSING, ENDED, FLUSH_SCHEDULED, OPEN } from './connection-state.js';
import { InboundConnection } from './connection-inbound.js';
import { DrainWaiters } from './drain-waiters.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { scheduleFlush, type Flushable } from './flush-scheduler.js';

const drained = Promise.resolve();

export abstract class OutboundConnection extends InboundConnection implements Flushable {
  /**
   * What waits for the flush: nothing, one payload, or several. An array only once two payloads met in
   * one turn (then kept for reuse): an idle connection's turns carry one payload (a ping), and 100k
   * idle connections need not hold 100k empty arrays.
   */
  #queued: Uint8Array | Uint8Array[] | undefined;
  #queuedBytes = 0;

  get bufferedAmount(): number {
    return this.#queuedBytes + (this.attachedSink?.pendingBytes ?? 0);
  }

  whenDrained(thresholdBytes: number): Promise<void> {
    if (this.state === ENDED || this.bufferedAmount <= thresholdBytes) return drained;
    const extras = this.extras;
    return (extras.drainWaiters ??= new DrainWaiters()).wait(thresholdBytes);
  }

  send(payload: Uint8Array): boolean {
    if (this.state !== OPEN || this.attachedSink === undefined) return false;
    const size = payload.byteLength;
    if (size === 0) return true;
    const limit = this.options.maxBufferedBytes;
    if (this.#queuedBytes + size + this.attachedSink.pendingBytes > limit) {
      this.meter.outboundDropped(this.kind!, 'buffer_full', size);
      this.overflow(new ConnectionsError(ConnectionsErrorCode.BufferFull,
        `Outbound buffer limit of ${limit} bytes exceeded; the client is not reading fast enough.`));
      return false;
    }
    this.meter.bytesSent(this.kind!, size);
    if (this.#queuedBytes === 0 && !this.options.coalesceOutbound && this.attachedSink.ready) {
      // Coalescing off: straight to the transport while nothing waits ahead of it.
      this.attachedSink.write(payload);
      return true;
    }
    this.enqueue(payload);
    this.#queuedBytes += size;
    this.requestFlush();
    return true;
  }

  close(): void {
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    // A lost transport has nothing to flush to.
    if (this.attachedSink === undefined) this.finish(undefined);
    else this.requestFlush();
  }

  /**
   * Hands what is queued to the sink if it can take it, and ends the sink once a closing connection has
   * nothing left. Long polling calls this when a poll arrives.
   */
  flush(): void {
    const sink = this.attachedSink;
    if (sink === undefined || this.state === ENDED) return;
    if (this.#queuedBytes > 0) {
      if (!sink.ready) return;
      const queued = this.#queued!;
      let batch: Uint8Array;
      if (Array.isArray(queued)) {
        batch = queued.length === 1 ? queued[0]! : Buffer.concat(queued, this.#queuedBytes);
        queued.length = 0;
      } else {
        batch = queued;
        this.#queued = undefined;
      }
      this.#queuedBytes = 0;
      sink.write(batch);
      // Long polling hands everything to the poll response at once: the buffer may have drained here.
      this.settleDrainWaiters();
    }
    // After an overflow the end is a failure (WebSocket close 1011), delivered after the last payload.
    if (this.state === CLOSING) sink.end(this.endError);
  }

  runScheduledFlush(): void {
    this.setFlag(FLUSH_SCHEDULED, false);
    this.flush();
  }

  /** Called by the sink when a write completed: bytes left the buffer, so `whenDrained` may resolve. */
  written(): void {
    this.settleDrainWaiters();
  }

  /** The connection ends now (`error` when it failed); the end notifies the listener. */
  protected abstract finish(error: ConnectionsError | undefined): void;

  /** Forgets what is queued: it belongs to a transport that is gone. */
  protected dropQueued(): void {
    this.#queued = undefined;
    this.#queuedBytes = 0;
  }

  /** Resolves the `whenDrained` waiters the buffer now satisfies (all of them once the connection ended). */
  protected settleDrainWaiters(): void {
    const extras = this.existingExtras;
    if (extras?.drainWaiters === undefined) return;
    if (extras.drainWaiters.settle(this.state === ENDED ? -1 : this.bufferedAmount)) extras.drainWaiters = undefined;
  }

  private enqueue(payload: Uint8Array): void {
    const queued = this.#queued;
    if (queued === undefined) this.#queued = payload;
    else if (Array.isArray(queued)) queued.push(payload);
    else this.#queued = [queued, payload];
  }

  private requestFlush(): void {
    if (this.hasFlag(FLUSH_SCHEDULED)) return;
    this.setFlag(FLUSH_SCHEDULED, true);
    scheduleFlush(this);
  }

  /**
   * The slow-consumer policy (ConnectionListener.onBufferFull, docs/slow-consumers-and-shutdown.md):
   * drop what is queued, let the application add a last payload, then end the transport after it.
   */
  private overflow(error: ConnectionsError): void {
    this.endError ??= error;
    this.state = CLOSING;
    this.dropQueued();
    let last: Uint8Array | undefined;
    try {
      last = this.listener?.onBufferFull?.(error);
    } catch {
      last = undefined;
    }
    if (last === undefined || last.byteLength === 0 || this.attachedSink === undefined || this.isEnded) {
      this.abort(error);
      return;
    }
    this.#queued = last;
    this.#queuedBytes = last.byteLength;
    this.requestFlush();
  }
}
