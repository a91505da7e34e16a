/**
 * SwitchyardInstrumentation: the one seam through which the app reports metrics. `@switchyard/metrics`
 * implements it with prom-client; this package depends on no metrics library and calls these methods
 * with plain numbers and fixed strings. Pass it as `new Switchyard({ instrumentation })`; missing
 * methods are no-ops, and so is the default.
 *
 * It extends the connections layer's {@link ConnectionsInstrumentation} (connections, bytes, drops)
 * with the hub layer's events (messages, invocation errors, backplane traffic).
 *
 * Hot-path rule for implementers: `messagesSent`, `messagesReceived`, `bytesSent` and `bytesReceived`
 * run per message or payload: no allocation, no logging, no throwing; add to a number and return.
 * Labels passed are bounded: hub class names, protocol names (`json`, `messagepack`), transports and
 * the reason sets below; never connection ids, user ids, group names or method names sent by clients.
 */
import { completeInstrumentation, noConnectionsInstrumentation, type ConnectionsInstrumentation } from '@switchyard/connections';

/** Why an invocation did not complete normally (a bounded label). */
export type InvocationFailureReason =
  /** The hub method (or server stream) threw or rejected. */
  | 'exception'
  /** The client named a method the hub does not have. */
  | 'unknown_method'
  /** The method's authorization policy refused the caller. */
  | 'unauthorized'
  /** Wrong argument count, or a streaming/non-streaming mismatch. */
  | 'invalid_invocation'
  /** Refused by the connection's `invocationRateLimit` (not run). */
  | 'rate_limited';

export interface SwitchyardInstrumentation extends ConnectionsInstrumentation {
  /** Hub messages parsed from a client (after the handshake; Pings, Acks and Closes included). */
  messagesReceived(hub: string, protocol: string, count: number): void;
  /** Hub messages written to one client (pings, completions, invocations, stream items, replays). */
  messagesSent(hub: string, protocol: string, count: number): void;
  /** An invocation ended with an error Completion (or would have, for a fire-and-forget call). */
  invocationFailed(hub: string, reason: InvocationFailureReason): void;
  /** A backplane publish the broker accepted, after `seconds`. */
  backplanePublished(hub: string, seconds: number): void;
  /** A backplane publish that failed (the message is lost for other servers). */
  backplanePublishFailed(hub: string): void;
  /** A payload received from the backplane (this server's own included, which are skipped). */
  backplaneReceived(hub: string): void;
}

function ignore(): void {}

/** The default: records nothing. */
export const noInstrumentation: SwitchyardInstrumentation = Object.freeze({
  ...noConnectionsInstrumentation,
  messagesReceived: ignore,
  messagesSent: ignore,
  invocationFailed: ignore,
  backplanePublished: ignore,
  backplanePublishFailed: ignore,
  backplaneReceived: ignore,
});

/** Fills the methods `given` lacks with no-ops. */
export function resolveInstrumentation(given: Partial<SwitchyardInstrumentation> | undefined): SwitchyardInstrumentation {
  return completeInstrumentation(noInstrumentation, given);
}
