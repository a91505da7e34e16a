import type { ConnectionsError } from '../errors.js';

/**
 * The outbound half of one transport, as the connection drives it. The connection owns the queue of
 * payloads; the sink takes a batch when it is {@link ready}, and reports its end through
 * `HttpConnection.transportEnded`.
 */
export interface TransportSink {
  /** True when {@link write} may be called now (long polling: a poll is waiting). */
  readonly ready: boolean;
  /** Bytes handed to the transport that the socket has not written yet (counted against `maxBufferedBytes`). */
  readonly pendingBytes: number;
  /** Monotonic time (ms) since the oldest unfinished write has been waiting; -1 when none (send timeout). */
  readonly stalledSinceMs: number;
  /** Hands one batch (one or more payloads, concatenated) to the transport: one frame, event or response. */
  write(batch: Uint8Array): void;
  /**
   * Everything queued was written: end the transport gracefully (after what it holds). `error`: the
   * end is a failure (a slow consumer), which a WebSocket reports with close code 1011. Idempotent.
   */
  end(error?: ConnectionsError): void;
  /**
   * Ends the transport without waiting for the peer: `error` for a failure, undefined for a server
   * shutdown. A second call forces what the first only started (drops a WebSocket that did not answer).
   */
  abort(error: ConnectionsError | undefined): void;
  /**
   * Drops the transport at once without reporting its end: a reconnect replaced it (stateful reconnect,
   * WebSockets only). Nothing more is read or written.
   */
  discard(): void;
  /** Inbound backpressure: stop / restart reading the socket (WebSockets; HTTP sends are held instead). */
  pauseInbound(): void;
  resumeInbound(): void;
}
