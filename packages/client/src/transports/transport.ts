import type { TransferFormat } from '@switchyard/protocol';

/** The three SignalR transports, named as negotiate names them. */
export type TransportKind = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

/** Every transport, in the order a server advertises them. */
export const transportKinds: readonly TransportKind[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];

/**
 * One way of moving bytes to and from the server (shape of the official client's ITransport, plus
 * cancellation). A transport may be connected again after it closed: stateful reconnect re-attaches the
 * same WebSocket transport to the same URL.
 */
export interface ClientTransport {
  readonly kind: TransportKind;
  /**
   * Opens the transport at `url` (which carries `?id=<connectionToken>` unless negotiation was skipped).
   * Rejects with a `ClientError` when it cannot; aborting `signal` stops the attempt.
   */
  connect(url: string, format: TransferFormat, signal: AbortSignal): Promise<void>;
  /** Sends one payload (possibly several hub messages). Rejects when the transport is not open. */
  send(data: Uint8Array): Promise<void>;
  /** Closes the transport; `onclose` fires (without an error) before the promise settles. */
  stop(): Promise<void>;
  /** Called with every chunk received: text for text frames and events, bytes otherwise. */
  onreceive: ((data: string | Uint8Array) => void) | null;
  /** Called once when an open transport ends; `error` is undefined for a clean end. */
  onclose: ((error?: Error) => void) | null;
}
