/**
 * The parts of a hub session that most connections never use, in one object created on first need.
 * A field on the session costs every connection 8 B whether it is set or not; an idle WebSocket
 * connection (the common case, possibly 100k of them) holds none of these, so it pays 8 B for all.
 */
import type { HubCallerContext } from './hub-context.js';
import type { InvocationBudget } from './limits/invocation-rate.js';
import type { MessageBuffer } from './message-buffer.js';
import type { SessionStreams } from './session-streams.js';

export class SessionExtras {
  // All assigned here, in this order, so every instance has one small shape.
  /** `Context`'s view of the caller, built when a hub method first asks for it. */
  callerContext: HubCallerContext | undefined = undefined;
  /** The session's cancellation signal, once read. */
  abort: AbortController | undefined = undefined;
  /** Uploads and server streams, once there is one. */
  streams: SessionStreams | undefined = undefined;
  /** Stateful reconnect (negotiated, version 2 handshake): numbering, acks, replay. */
  replayBuffer: MessageBuffer | undefined = undefined;
  /** `invocationRateLimit` of this connection, when there is one. */
  invocationBudget: InvocationBudget | undefined = undefined;
  /** Bytes of a record that has not ended yet. */
  partial: Uint8Array | undefined = undefined;
  /** The end of the session (onDisconnected and unregistration), once it began. */
  ended: Promise<void> | undefined = undefined;
}
