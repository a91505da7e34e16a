import type { ConnectionRequest, Principal, TransportKind } from '@switchyard/connections';
import type { MethodMap } from '@switchyard/protocol';
import type { GroupManager, HubClients } from './clients.js';

/** What the caller context reads from its connection. @internal */
export interface CallerContextSource {
  readonly connectionId: string;
  readonly userId: string | undefined;
  readonly user: Principal | undefined;
  readonly transport: TransportKind;
  readonly request: ConnectionRequest;
  readonly signal: AbortSignal;
  /** Ends the connection: Close without allowReconnect, then onDisconnected(undefined). */
  abort(): void;
}

/** `this.context` in a hub: facts about the calling connection. One instance per connection. */
export class HubCallerContext {
  readonly #source: CallerContextSource;
  #items: Map<string, unknown> | undefined;

  /** @internal */
  constructor(source: CallerContextSource) {
    this.#source = source;
  }

  /** Public id of the connection (what `clients.client(id)` takes). */
  get connectionId(): string {
    return this.#source.connectionId;
  }

  /** From the hub's user-id provider (by default the principal's `userId`). */
  get userId(): string | undefined {
    return this.#source.userId;
  }

  /** The principal the endpoint's `authenticate` hook established, if any. */
  get user(): Principal | undefined {
    return this.#source.user;
  }

  /** State kept for the lifetime of the connection, shared by all its invocations. */
  get items(): Map<string, unknown> {
    // Created on first use: most connections never store anything.
    return (this.#items ??= new Map());
  }

  get transport(): TransportKind {
    return this.#source.transport;
  }

  /** The HTTP request that opened the transport (headers, url, remote address). */
  get request(): ConnectionRequest {
    return this.#source.request;
  }

  /** Aborted when the connection ends. */
  get signal(): AbortSignal {
    return this.#source.signal;
  }

  /** Closes the connection from the server; the client does not reconnect automatically. */
  abort(): void {
    this.#source.abort();
  }
}

/** A hub's clients and groups, for code outside hubs (`app.hubContext(Hub)`). */
export interface HubContext<TClient extends object = MethodMap> {
  readonly clients: HubClients<TClient>;
  readonly groups: GroupManager;
}
