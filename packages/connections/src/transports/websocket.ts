/**
 * The WebSocket transport, on `ws` in noServer mode. One WebSocket message per flush: several queued
 * payloads go out concatenated in one frame (the client parses records, never frames). Frames are text
 * while `connection.transferFormat` is `Text`, binary otherwise. The server closes with 1000 normally and
 * 1011 on failure; `ws` drops a peer that does not answer the close within `webSocketCloseTimeoutMs`.
 *
 * `ws` does the handshake, reads, pings and closes; data frames are built here (frame.ts) and written
 * to the socket in one write, so a broadcast flushed to N connections in one turn is framed once and
 * the same bytes go to every socket. This is safe because nothing else queues data frames inside `ws`:
 * without permessage-deflate (off on the endpoint) and without Blob payloads, its sender writes to the
 * socket synchronously, so frames from both stay in order, and `bufferedAmount` counts both.
 */
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import { ConnectionsError, ConnectionsErrorCode } from '../errors.js';
import type { HttpConnection } from '../http-connection.js';
import { BINARY_OPCODE, TEXT_OPCODE, webSocketFrame } from './frame.js';
import type { TransportSink } from './transport-sink.js';

// Event listeners are module-level functions that find their sink through this back-pointer, so a
// connection allocates no closure per event type (the pattern `ws` itself uses).
const kSink = Symbol('switchyard.webSocketSink');
interface OwnedWebSocket extends WebSocket {
  [kSink]?: WebSocketSink;
}

/**
 * The socket class the endpoint's `WebSocketServer` creates. When a peer's close frame carries no status
 * code, `ws` answers on its own by calling `close()` without one, which sends an empty close frame that
 * the peer reports as 1005. ASP.NET Core answers such a close with 1000, so a missing code becomes 1000.
 */
export class SignalRWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    super.close(code ?? 1000, data);
  }
}

const OPEN = 1;
const EMPTY = Buffer.alloc(0);

/** Our close frame was sent (or the close began). */
const CLOSE_SENT = 1;
/** A write failed. */
const SEND_FAILED = 2;
/** The kept error is a protocol error or the abort's reason, not a failed write's. */
const PROTOCOL_ERROR = 4;

export class WebSocketSink implements TransportSink {
  readonly #ws: OwnedWebSocket;
  /** The upgraded socket `ws` reads from and writes to. */
  readonly #socket: Duplex;
  readonly #connection: HttpConnection;
  /** The completion callback of writes the socket could not finish at once; bound on first need. */
  #onSent: ((error?: Error | null) => void) | undefined;
  /** Writes handed to the socket with {@link #onSent} that have not completed. */
  #inFlight = 0;
  #stalledSince = -1;
  /** {@link CLOSE_SENT}, {@link SEND_FAILED}, {@link PROTOCOL_ERROR}: one small integer, not a field each (8 B per connection). */
  #flags = 0;
  /**
   * Why the socket failed, one field for two causes. With {@link PROTOCOL_ERROR}: a protocol violation,
   * an oversized message or the abort's reason (the connection fails, whatever the close looks like),
   * which takes precedence. Otherwise a failed write's (the socket is dead; its close is a drop, which
   * stateful reconnect may survive).
   */
  #error: ConnectionsError | undefined;

  constructor(ws: WebSocket, socket: Duplex, connection: HttpConnection) {
    this.#ws = ws;
    this.#socket = socket;
    this.#connection = connection;
    this.#ws[kSink] = this;
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  get ready(): boolean {
    return this.#ws.readyState === OPEN;
  }

  get pendingBytes(): number {
    return this.#ws.bufferedAmount;
  }

  get stalledSinceMs(): number {
    return this.#stalledSince;
  }

  write(batch: Uint8Array): void {
    const frame = webSocketFrame(batch, this.#connection.transferFormat === 'Binary' ? BINARY_OPCODE : TEXT_OPCODE);
    const socket = this.#socket;
    if (this.#inFlight === 0 && socket.writableLength === 0) {
      // Nothing waits in the socket, so the frame usually goes straight into the kernel: written without
      // a callback, it costs the stream no completion tick (a broadcast's N writes, an echo's reply).
      socket.write(frame);
      if (socket.writableLength === 0) return;
      // The kernel did not take it all: an empty write queued behind it reports when it is out.
      this.track(EMPTY);
      return;
    }
    this.track(frame);
  }

  // Helper methods are TypeScript `private`, not `#`: a class with `#` methods costs each instance a brand field (8 B).

  /** Writes `chunk` with a completion callback: pending bytes count for the send timeout and `whenDrained`. */
  private track(chunk: Buffer): void {
    if (this.#inFlight++ === 0) this.#stalledSince = wholeMs();
    this.#socket.write(chunk, (this.#onSent ??= (error?: Error | null): void => this.sent(error)));
  }

  end(error?: ConnectionsError): void {
    if ((this.#flags & CLOSE_SENT) !== 0) return;
    this.#flags |= CLOSE_SENT;
    this.#ws.close(error === undefined ? 1000 : 1011);
  }

  abort(error: ConnectionsError | undefined): void {
    if (error !== undefined) this.setProtocolError(error);
    if ((this.#flags & CLOSE_SENT) !== 0) {
      // The close handshake already started and we are asked again: stop waiting for the peer.
      this.#ws.terminate();
      return;
    }
    this.#flags |= CLOSE_SENT;
    this.#ws.close(error === undefined ? 1000 : 1011);
  }

  discard(): void {
    this.#ws[kSink] = undefined;
    this.#ws.terminate();
  }

  pauseInbound(): void {
    this.#ws.pause();
  }

  resumeInbound(): void {
    this.#ws.resume();
  }

  private sent(error: Error | null | undefined): void {
    this.#inFlight--;
    this.#stalledSince = this.#inFlight > 0 ? wholeMs() : -1;
    this.#connection.written();
    if (error != null && (this.#flags & (CLOSE_SENT | SEND_FAILED)) === 0) {
      // The socket broke under a write (reset, pipe closed): a network drop like any other, reported
      // when `ws` closes. Terminating makes sure it does. A protocol error already kept stays.
      this.#flags |= SEND_FAILED;
      this.#error ??= new ConnectionsError(ConnectionsErrorCode.TransportFailed, 'Sending on the WebSocket failed.', { cause: error });
      this.#ws.terminate();
    }
  }

  /** The first protocol error (or abort reason) is kept; it replaces a failed write's error. */
  private setProtocolError(error: ConnectionsError): void {
    if ((this.#flags & PROTOCOL_ERROR) !== 0) return;
    this.#flags |= PROTOCOL_ERROR;
    this.#error = error;
  }

  /** @internal */
  received(data: RawData): void {
    // binaryType is the default 'nodebuffer': every message, text or binary, arrives as one Buffer.
    this.#connection.receive(data as Buffer);
  }

  /** @internal */
  failed(error: Error & { code?: string }): void {
    this.setProtocolError(error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
      ? new ConnectionsError(ConnectionsErrorCode.MessageTooLarge, 'An inbound WebSocket message exceeded maxRequestBodyBytes.', { cause: error })
      : new ConnectionsError(ConnectionsErrorCode.TransportFailed, `WebSocket protocol error: ${error.message}`, { cause: error }));
  }

  /** @internal */
  closed(code: number): void {
    this.#ws[kSink] = undefined;
    // 1006 = the socket ended without a close frame. After our own close that is just a peer that did
    // not answer in time; otherwise the client vanished (network drop, killed process), which stateful
    // reconnect may survive. A protocol error is never survived.
    if ((this.#flags & PROTOCOL_ERROR) !== 0) {
      this.#connection.transportEnded(this.#error, this);
    } else if (code === 1006 && (this.#flags & CLOSE_SENT) === 0) {
      // Without PROTOCOL_ERROR, a kept error is a failed write's.
      const error = this.#error ??
        new ConnectionsError(ConnectionsErrorCode.TransportFailed, 'The WebSocket closed without completing the close handshake.');
      this.#connection.transportEnded(error, this, true);
    } else {
      this.#connection.transportEnded(undefined, this);
    }
  }
}

/**
 * The monotonic clock in whole milliseconds, plenty for a send timeout: V8 keeps a small integer in
 * the sink itself, where a fractional number would cost every connection a 16-byte heap box.
 */
function wholeMs(): number {
  return Math.floor(performance.now());
}

function onMessage(this: OwnedWebSocket, data: RawData): void {
  this[kSink]?.received(data);
}

function onError(this: OwnedWebSocket, error: Error): void {
  this[kSink]?.failed(error);
}

function onClose(this: OwnedWebSocket, code: number): void {
  this[kSink]?.closed(code);
}
