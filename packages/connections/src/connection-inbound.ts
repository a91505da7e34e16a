/**
 * A connection's inbound side: bytes from the transport go to the application's listener, or are held
 * in order while reading is paused (or before the handler returned its listener); POSTs are answered
 * only once their bytes were delivered, so a client that sends faster than the server reads is slowed.
 */
import type { ServerResponse } from 'node:http';
import { ConnectionState, DRAINING, ENDED, PAUSED } from './connection-state.js';
import { ConnectionsError, ConnectionsErrorCode } from './errors.js';
import { HeldInbound } from './held-inbound.js';
import { respondText } from './http-responses.js';

export abstract class InboundConnection extends ConnectionState {

  pause(): void {
    if (this.hasFlag(PAUSED)) return;
    this.setFlag(PAUSED, true);
    this.attachedSink?.pauseInbound();
  }

  resume(): void {
    if (!this.hasFlag(PAUSED)) return;
    this.setFlag(PAUSED, false);
    this.attachedSink?.resumeInbound();
    if (this.held !== undefined) this.drainHeld();
  }

  /** Inbound bytes from the transport. */
  receive(payload: Uint8Array): void {
    if (this.state === ENDED) return;
    this.meter.bytesReceived(this.kind!, payload.byteLength);
    if (this.listener === undefined || this.hasFlag(PAUSED) || this.held !== undefined) {
      (this.held ??= new HeldInbound()).hold(payload);
      if (this.listener !== undefined && !this.hasFlag(PAUSED)) this.drainHeld();
      return;
    }
    this.deliver(payload);
  }

  /**
   * Inbound bytes from a POST: delivered, then answered 200. While paused the answer waits until the
   * application resumed and took the bytes, so a client that sends faster than the server reads is slowed.
   */
  receivePost(payload: Uint8Array, res: ServerResponse): void {
    if (this.hasFlag(PAUSED)) {
      this.meter.bytesReceived(this.kind!, payload.byteLength);
      (this.held ??= new HeldInbound()).hold(payload, res);
      return;
    }
    this.receive(payload);
    respondText(res, 200);
  }

  private deliver(payload: Uint8Array): void {
    try {
      this.listener!.onData(payload);
    } catch (error) {
      this.abort(new ConnectionsError(ConnectionsErrorCode.HandlerFailed, 'The connection listener threw in onData.', { cause: error }));
    }
  }

  /** Delivers held input while reading goes on. */
  protected drainHeld(): void {
    // Re-entrancy guard: onData may call resume()/pause(), which must not start a second loop.
    if (this.hasFlag(DRAINING)) return;
    this.setFlag(DRAINING, true);
    const held = this.held!;
    let payload: Uint8Array | undefined;
    while (!this.hasFlag(PAUSED) && this.listener !== undefined && this.state !== ENDED && (payload = held.next()) !== undefined) {
      this.deliver(payload);
    }
    this.setFlag(DRAINING, false);
    // Everything delivered and reading goes on: the POSTs that carried it are answered.
    if (held.isEmpty && !this.hasFlag(PAUSED) && this.held === held) {
      this.held = undefined;
      held.answerPosts(200);
    }
  }
}
