/**
 * A hub client that stops reading: a WebSocket spoken by hand on a `net` socket (skipNegotiation, JSON
 * protocol), paused right after the handshake so the kernel's buffers fill and the server's outbound
 * buffer for it grows, as with a client on a stalled network. `resume()` reads again and `frames()`
 * decodes what the server sent, with plain code independent of the server's framing.
 */
import { connect, type Socket } from 'node:net';
import { dataFrame, encodeFrame, upgradeRequest } from './ws-frames.js';

/** One frame from the server. */
export interface ServerFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

export class SlowReader {
  readonly #socket: Socket;
  readonly #chunks: Buffer[] = [];
  readonly ended: Promise<void>;

  private constructor(socket: Socket, leftover: Buffer) {
    this.#socket = socket;
    if (leftover.length > 0) this.#chunks.push(leftover);
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      // A close frame without a reason (2-byte code) ending what arrived: answer it, as clients do.
      const n = chunk.length;
      if (n >= 4 && chunk[n - 4] === 0x88 && chunk[n - 3] === 0x02) {
        socket.end(encodeFrame(dataFrame(0x8, chunk.subarray(n - 2))));
      }
    });
  }

  /** Connects to `hubUrl` (`http://host:port/path`), completes the hub handshake, then stops reading. */
  static async open(hubUrl: string): Promise<SlowReader> {
    const url = new URL(hubUrl);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    let leftover = Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head.subarray(0, end).toString('latin1').startsWith('HTTP/1.1 101')) {
          reject(new Error(`upgrade refused: ${head.toString('latin1').split('\r\n')[0]}`));
          return;
        }
        // The handshake answer `{}` + 0x1E: a 2-byte frame header and 3 bytes.
        if (head.length < end + 4 + 5) return;
        socket.off('data', onData);
        socket.pause();
        leftover = head.subarray(end + 4 + 5);
        resolve();
      };
      socket.on('data', onData);
      socket.once('connect', () => {
        socket.write(upgradeRequest(url.pathname));
        socket.write(encodeFrame(dataFrame(0x1, '{"protocol":"json","version":1}\u001e')));
      });
    });
    return new SlowReader(socket, leftover);
  }

  /**
   * Reads again (what the kernel kept, then whatever else comes) until the server ends the socket;
   * answers the server's close frame, so the close handshake completes.
   */
  resume(): void {
    this.#socket.resume();
  }

  /** Frames received since the handshake (call after {@link ended}); a partial last frame is left out. */
  frames(): ServerFrame[] {
    const bytes = Buffer.concat(this.#chunks);
    const frames: ServerFrame[] = [];
    let offset = 0;
    while (offset + 2 <= bytes.length) {
      const opcode = bytes[offset]! & 0x0f;
      let length = bytes[offset + 1]! & 0x7f;
      let start = offset + 2;
      if (length === 126) {
        length = bytes.readUInt16BE(offset + 2);
        start += 2;
      } else if (length === 127) {
        length = Number(bytes.readBigUInt64BE(offset + 2));
        start += 8;
      }
      if (start + length > bytes.length) break;
      frames.push({ opcode, payload: bytes.subarray(start, start + length) });
      offset = start + length;
    }
    return frames;
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

