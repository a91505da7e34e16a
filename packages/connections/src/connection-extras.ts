/**
 * The parts of a connection that most connections never use, in one object created on first need.
 * A field on the connection costs every connection 8 B whether it is set or not; an idle WebSocket
 * connection (the common case, possibly 100k of them) holds none of these, so it pays 8 B for all.
 */
import type { DrainWaiters } from './drain-waiters.js';
import type { ConnectionsError } from './errors.js';

export class ConnectionExtras {
  // All assigned here, in this order, so every instance has one small shape.
  /** Why the connection ends, once it does (undefined for an end without fault). */
  endError: ConnectionsError | undefined = undefined;
  /** Pending `whenDrained` calls. */
  drainWaiters: DrainWaiters | undefined = undefined;
  /** The connection's signal, once read. */
  abortController: AbortController | undefined = undefined;
  /** Why the transport was lost, while the connection waits for a reconnect. */
  lostError: ConnectionsError | undefined = undefined;
}
