/**
 * The state every layer of a connection shares (http-connection.ts has the lifecycle diagram): where
 * it is in its life, the transport and its sink, the application's listener, held input and why it
 * ended. The layers: inbound hold/pause (connection-inbound.ts), outbound queue/flush/overflow
 * (connection-outbound.ts), transport attach/detach and the end (http-connection.ts).
 *
 * Memory: a connection lives for days, and there may be 100k of them. Helper methods are TypeScript
 * `private`, not `#private`: every class with `#` methods stamps a brand field (8 B) on each instance.
 */
import type { ConnectionListener, TransportKind } from './connection.js';
import { ConnectionExtras } from './connection-extras.js';
import type { ConnectionsError } from './errors.js';
import type { HeldInbound } from './held-inbound.js';
import type { ConnectionsInstrumentation } from './instrumentation.js';
import type { ConnectionOwner } from './http-connection.js';
import type { ResolvedConnectionEndpointOptions } from './options.js';
import type { TransportSink } from './transports/transport-sink.js';

export const NEGOTIATED = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const ENDED = 3;
export type State = typeof NEGOTIATED | typeof OPEN | typeof CLOSING | typeof ENDED;

// The connection's booleans, packed into one small integer ({@link ConnectionState.flags}): a field per
// flag would cost every connection 8 B each.
/** Reading is paused (the application called `pause()`). */
export const PAUSED = 1;
/** Held input is being delivered (re-entrancy guard). */
export const DRAINING = 2;
/** A flush is scheduled for this turn. */
export const FLUSH_SCHEDULED = 4;
/** The handler is running inside `start()`: onClose waits until it returned. */
export const STARTING = 8;
/** The application made the connection resumable (stateful reconnect). */
export const RESUMABLE = 16;
/** Negotiated with stateful reconnect (`useStatefulReconnect`); set once, by the constructor. */
export const STATEFUL_RECONNECT = 32;
/** The transfer format is `Binary` (clear: `Text`). */
export const BINARY = 64;

export abstract class ConnectionState {
  /** The endpoint that created the connection. */
  protected readonly owner: ConnectionOwner;
  protected state: State = NEGOTIATED;
  protected kind: TransportKind | undefined;
  protected attachedSink: TransportSink | undefined;
  protected listener: ConnectionListener | undefined;
  /** Inbound data waiting for the application; undefined while nothing waits. */
  protected held: HeldInbound | undefined;
  /** The end error, drain waiters, signal and lost-transport error: created on first use (connection-extras.ts). */
  #extras: ConnectionExtras | undefined;
  /** {@link PAUSED}, {@link DRAINING}, {@link FLUSH_SCHEDULED}, {@link STARTING}, {@link RESUMABLE}, {@link STATEFUL_RECONNECT}, {@link BINARY}. */
  protected flags = 0;

  constructor(owner: ConnectionOwner) {
    this.owner = owner;
  }

  /** The rarely used parts, created now if they were not. */
  protected get extras(): ConnectionExtras {
    return (this.#extras ??= new ConnectionExtras());
  }

  /** The rarely used parts if they were created; reading them through this allocates nothing. */
  protected get existingExtras(): ConnectionExtras | undefined {
    return this.#extras;
  }

  /** Why the connection ends, once it does. */
  protected get endError(): ConnectionsError | undefined {
    return this.#extras?.endError;
  }
  protected set endError(error: ConnectionsError | undefined) {
    if (error !== undefined || this.#extras !== undefined) this.extras.endError = error;
  }

  /** The endpoint's instrumentation (a no-op by default): read through the owner, not cached in a field (8 B per connection). */
  protected get meter(): ConnectionsInstrumentation {
    return this.owner.options.instrumentation;
  }

  protected get options(): ResolvedConnectionEndpointOptions {
    return this.owner.options;
  }

  get isEnded(): boolean {
    return this.state === ENDED;
  }

  protected hasFlag(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  protected setFlag(flag: number, on: boolean): void {
    this.flags = on ? this.flags | flag : this.flags & ~flag;
  }

  /** Ends the connection now: `error` for a failure, undefined for a server-side decision without fault. */
  abstract abort(error: ConnectionsError | undefined): void;
}
