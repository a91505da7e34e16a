/** What every light load client is: the sink it reports to, the client itself, the WebSocket opener they share. */
import WebSocket from 'ws';

/** Where a client reports what it receives. */
export interface MessageSink {
  /** A broadcast message: its sequence number and its monotonic send time. */
  message(seq: number, sentAt: number): void;
  /** A transport frame (WebSocket message, SSE event, non-empty poll response) arrived. */
  frame(): void;
}

export interface LightClient {
  /** Invokes echo with `value` and resolves when the answer is back. */
  echo(value: string): Promise<void>;
  close(): void;
}

export type ClientKind = 'signalr-ws' | 'signalr-sse' | 'signalr-lp' | 'raw-ws' | 'socketio-ws' | 'socketio-lp' | 'poll';

/** The record separator of SignalR's JSON protocol and of engine.io's polling payloads. */
export const RS = '\x1e';

/** Opens a WebSocket with its message listener already attached: a server may speak first, in the same chunk as the upgrade. */
export function openWebSocket(url: string, onMessage: (data: Buffer, socket: WebSocket) => void): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  socket.on('message', (data: Buffer) => onMessage(data, socket));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}
