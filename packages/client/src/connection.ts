import type { TransferFormat } from '@switchyard/protocol';
import type { TransportKind } from './transports/transport.js';

/** What the active transport means for the hub layer: a closed, typed set (no property bag). */
export interface ConnectionFeatures {
  /** The transport keeps itself alive (long polling): no pings, no server timeout. */
  readonly inherentKeepAlive: boolean;
  /** This start negotiated stateful reconnect (WebSockets only): version-2 handshake, Ack/Sequence. */
  readonly statefulReconnect: boolean;
}

/**
 * The hub layer's half of stateful reconnect. When the WebSocket drops, the connection calls
 * `transportLost()`, opens a new WebSocket to the same URL (no negotiate, no handshake), then calls
 * `resume()`, which sends Sequence and replays what the server has not acknowledged.
 */
export interface ResumeHandler {
  transportLost(): void;
  resume(): Promise<void>;
}

/**
 * A byte connection to the server: negotiate, transport selection and fallback behind one start().
 * The hub layer sees only this (shape of the official client's IConnection, minus its `features: any`).
 */
export interface Connection {
  /** The server's connection id; null before start, after stop, and when negotiation was skipped. */
  readonly connectionId: string | null;
  /** The transport carrying the connection; null unless connected. */
  readonly transport: TransportKind | null;
  readonly features: ConnectionFeatures;
  start(format: TransferFormat): Promise<void>;
  send(data: Uint8Array): Promise<void>;
  /** Stops the connection; `onclose` receives `error` (when given) before the promise settles. */
  stop(error?: Error): Promise<void>;
  onreceive: ((data: string | Uint8Array) => void) | null;
  /** Called once when a started connection ends, with the reason (undefined for a clean stop). */
  onclose: ((error?: Error) => void) | null;
  /** Set by the hub layer while a stateful-reconnect session is active. */
  resumeHandler: ResumeHandler | null;
}
