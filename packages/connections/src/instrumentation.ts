/**
 * The connections layer's instrumentation seam: what a metrics backend (`@switchyard/metrics`, or your
 * own) hears about connections and bytes. This package never depends on a metrics library; it calls
 * these methods with plain numbers and the strings below, and the default does nothing.
 *
 * Hot-path rule for implementers: `bytesSent` and `bytesReceived` run once per payload, so they must
 * not allocate or log; add to a number and return. Every method must not throw.
 *
 * Other helpers calling it: take the endpoint's `options.instrumentation` (always complete, a no-op by
 * default) and call the method where the event happens.
 */
import type { TransportKind } from './connection.js';
import { ConnectionsErrorCode, type ConnectionsError } from './errors.js';

/** Why a connection ended, as a small fixed set (safe as a metric label). */
export type ConnectionCloseReason =
  /** Ended without an error: the client or the application closed it, or the server shut down. */
  | 'normal'
  /** The socket failed or vanished without a close handshake. */
  | 'transport_error'
  /** Outbound bytes exceeded `maxBufferedBytes`: a slow consumer, disconnected. */
  | 'slow_consumer'
  /** A write to the transport took longer than `transportSendTimeoutMs`. */
  | 'send_timeout'
  /** No transport request for `disconnectTimeoutMs` (long polling stopped, a dropped WebSocket not resumed). */
  | 'disconnect_timeout'
  /** An inbound message or POST exceeded `maxRequestBodyBytes`. */
  | 'message_too_large'
  /** The application's handler or listener threw. */
  | 'handler_error'
  /** Any other error. */
  | 'error';

/** Why an outbound payload was dropped instead of queued. */
export type OutboundDropReason =
  /** Queuing it would exceed `maxBufferedBytes` (the connection is closed as a slow consumer). */
  'buffer_full';

/** Why a request for a new or existing connection was refused before reaching it (docs/security.md). */
export type ConnectionRefusalReason =
  /** `maxConnectionsPerAddress` reached: 429. */
  | 'address_limit'
  /** `maxConnectionsPerUser` reached: 429. */
  | 'user_limit'
  /** A connection token presented by another user than the one who negotiated it: 403. */
  | 'foreign_token'
  /** An `Origin` outside the CORS allow-list: 403. */
  | 'origin';

/**
 * Events of the connections layer. Labels are fixed, small sets: transport names and reason classes,
 * never ids, paths or user input.
 */
export interface ConnectionsInstrumentation {
  /** A connection's transport started and the application got it (negotiated-but-unused ones never open). */
  connectionOpened(transport: TransportKind): void;
  /** A connection that had opened ended; called once, after {@link connectionOpened}. */
  connectionClosed(transport: TransportKind, reason: ConnectionCloseReason): void;
  /** Inbound bytes handed over by the transport (WebSocket message, POST body). */
  bytesReceived(transport: TransportKind, bytes: number): void;
  /** Outbound bytes the application queued (accepted by `Connection.send`). */
  bytesSent(transport: TransportKind, bytes: number): void;
  /** An outbound payload of `bytes` was dropped for `reason`. */
  outboundDropped(transport: TransportKind, reason: OutboundDropReason, bytes: number): void;
  /**
   * A request was refused by a limit or a security check (no connection id: it may not exist).
   * Optional, so implementations written before it stay valid; the resolved options always have it.
   */
  connectionRefused?(reason: ConnectionRefusalReason): void;
}

function ignore(): void {}

/** The default: records nothing. */
export const noConnectionsInstrumentation: ConnectionsInstrumentation = Object.freeze({
  connectionOpened: ignore,
  connectionClosed: ignore,
  bytesReceived: ignore,
  bytesSent: ignore,
  outboundDropped: ignore,
  connectionRefused: ignore,
});

/**
 * Completes a partial implementation with no-ops, so call sites never check for a missing method.
 * An object that already has every method of `defaults` is returned as is.
 */
export function completeInstrumentation<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  if (given === undefined) return defaults;
  const keys = Object.keys(defaults) as (keyof T)[];
  if (keys.every((key) => typeof given[key] === 'function')) return given as T;
  const complete = {} as Record<keyof T, unknown>;
  for (const key of keys) {
    const method = given[key];
    complete[key] = typeof method === 'function' ? (method as (...args: unknown[]) => unknown).bind(given) : defaults[key];
  }
  return complete as T;
}

/** The reason class of a connection's end error (undefined = a normal end). */
export function closeReasonOf(error: ConnectionsError | undefined): ConnectionCloseReason {
  if (error === undefined) return 'normal';
  switch (error.code) {
    case ConnectionsErrorCode.TransportFailed:
      return 'transport_error';
    case ConnectionsErrorCode.BufferFull:
      return 'slow_consumer';
    case ConnectionsErrorCode.SendTimeout:
      return 'send_timeout';
    case ConnectionsErrorCode.DisconnectTimeout:
      return 'disconnect_timeout';
    case ConnectionsErrorCode.MessageTooLarge:
      return 'message_too_large';
    case ConnectionsErrorCode.HandlerFailed:
      return 'handler_error';
    default:
      return 'error';
  }
}
