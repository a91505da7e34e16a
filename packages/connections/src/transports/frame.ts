/**
 * Server-to-client WebSocket data frames (RFC 6455 §5.2: FIN, opcode, unmasked length, payload) built
 * in one buffer, so a frame costs one socket write.
 *
 * Within one flush turn the last frame built is remembered with the payload it carries: a broadcast
 * hands the same payload object to every recipient, and all of them flush in the same turn
 * (flush-scheduler.ts), so the frame is built once and the same bytes are written to every socket.
 * Identity is a safe key there, as no application code runs between those flushes; a later turn (or
 * a write outside one) frames afresh, so a payload the application reuses after it was written is
 * never sent stale. Only one frame is kept, so the memory held is bounded by one payload.
 */
import { currentFlushTurn } from '../flush-scheduler.js';

export const TEXT_OPCODE = 0x1;
export const BINARY_OPCODE = 0x2;

let lastPayload: Uint8Array | undefined;
let lastOpcode = 0;
let lastTurn = 0;
let lastFrame: Buffer | undefined;

/** The frame carrying `payload` as one message, reused when the previous call in this flush turn framed the same payload. */
export function webSocketFrame(payload: Uint8Array, opcode: typeof TEXT_OPCODE | typeof BINARY_OPCODE): Buffer {
  const turn = currentFlushTurn();
  if (payload === lastPayload && opcode === lastOpcode && turn === lastTurn && turn !== 0) return lastFrame!;
  const length = payload.byteLength;
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerLength);
  if (turn === 0) {
    lastPayload = lastFrame = undefined;
  } else {
    lastPayload = payload;
    lastOpcode = opcode;
    lastTurn = turn;
    lastFrame = frame;
  }
  return frame;
}
