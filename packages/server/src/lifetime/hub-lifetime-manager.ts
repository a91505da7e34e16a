/**
 * The seam between hubs and connection bookkeeping. `LocalHubLifetimeManager` keeps everything in this
 * process; a backplane-backed manager implements the same interface to reach connections held by
 * other servers.
 */
import type { CompletionMessage, HubMessage, HubProtocol, InvocationMessage } from '@switchyard/protocol';
import type { SerializedMessage } from './serialized-message.js';

/** A hub connection as a lifetime manager sees it. */
export interface HubConnectionContext {
  readonly connectionId: string;
  /** From the hub's user-id provider; undefined for anonymous connections. */
  readonly userId: string | undefined;
  /** The hub protocol chosen in the handshake. */
  readonly protocol: HubProtocol;
  /** Aborted when the hub connection ends (before `onDisconnected`). */
  readonly signal: AbortSignal;
  /**
   * Groups the connection may be in at once (`maximumGroupsPerConnection`); a manager adding it to one
   * more throws `ERR_HUB_TOO_MANY_GROUPS` (limits/group-quota.ts). Undefined or null: no limit.
   */
  readonly maximumGroups?: number | null;
  /** Writes one message in the connection's protocol; false when the connection has ended. */
  sendMessage(message: HubMessage): boolean;
  /** Writes a message shared with other recipients, reusing its encoding; false when ended. */
  sendSerialized(message: SerializedMessage): boolean;
}

/** Who a send goes to. Group and user names are compared ordinally (case-sensitive). */
export type SendTarget =
  | { readonly kind: 'all' }
  | { readonly kind: 'connection'; readonly connectionId: string }
  | { readonly kind: 'connections'; readonly connectionIds: readonly string[] }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'groups'; readonly groups: readonly string[] }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'users'; readonly userIds: readonly string[] };

export interface HubLifetimeManager {
  /** The connection finished its handshake; it may now be targeted. */
  onConnected(connection: HubConnectionContext): Promise<void>;
  /** The connection ended (after the hub's onDisconnected): forget it and its groups. */
  onDisconnected(connection: HubConnectionContext): Promise<void>;
  /**
   * Sends a non-blocking invocation to every connection `target` names, except the `except` ids.
   * Resolves when handed to the transports (or the backplane), not when clients received it.
   */
  send(target: SendTarget, message: InvocationMessage, except?: readonly string[]): Promise<void>;
  /**
   * Invokes `target` on one connection and resolves with the client's result (a client result).
   * Rejects with a HubException carrying the client's error, or a HubError when the connection does not
   * exist, disconnects, or (with a timeout) does not answer.
   */
  invoke(connectionId: string, target: string, args: readonly unknown[]): Promise<unknown>;
  /**
   * Routes a Completion a client sent for a client result. Returns false when no pending client result has
   * this invocation id (the caller logs and ignores it).
   */
  setConnectionResult(connectionId: string, completion: CompletionMessage): boolean;
  /** Idempotent. A connection that does not exist is ignored. */
  addToGroup(connectionId: string, group: string): Promise<void>;
  /** Idempotent. */
  removeFromGroup(connectionId: string, group: string): Promise<void>;
  /** Releases timers and subscriptions (app close). */
  dispose(): Promise<void>;
}
