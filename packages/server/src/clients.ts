/**
 * Client proxies: who a hub talks to (`clients.all`, `clients.group('g')`, …) and how (`send`, and on
 * single-client proxies `invoke` for a client result). Proxies are small immutable values: creating one
 * per call is cheap, and they hold no connection state.
 */
import { MessageType, type MethodMap } from '@switchyard/protocol';
import { HubError, HubErrorCode } from './errors.js';
import { INVOKE_IN_ON_CONNECTED } from './error-messages.js';
import type { HubLifetimeManager, SendTarget } from './lifetime/hub-lifetime-manager.js';

/** Method names of a client contract (any string for the untyped default). */
export type ClientMethodName<TClient extends object> = keyof TClient & string;

/** The arguments of client method `K` (anything for the untyped default). */
export type ClientMethodArgs<TClient extends object, K extends keyof TClient> = TClient[K] extends (...args: infer A) => unknown
  ? A
  : unknown[];

/**
 * What a hub method's client calls must respect while it runs: `onConnected` may not invoke, and an
 * invocation waiting for a client result gives up its parallel-invocation slot so it cannot dead-lock.
 * @internal
 */
export interface InvokeGuard {
  readonly invokeAllowed: boolean;
  /** Called before waiting for a client result. */
  releaseSlot(): void;
}

/** Sends to a set of connections. */
export class ClientProxy<TClient extends object = MethodMap> {
  readonly #manager: HubLifetimeManager;
  readonly #target: SendTarget;
  readonly #except: readonly string[] | undefined;

  /** @internal */
  constructor(manager: HubLifetimeManager, target: SendTarget, except?: readonly string[]) {
    this.#manager = manager;
    this.#target = target;
    this.#except = except;
  }

  /**
   * Calls `method` on every targeted client, without waiting for them (a non-blocking invocation).
   * Resolves once the message is handed to the transports (or the backplane).
   */
  send<K extends ClientMethodName<TClient>>(method: K, ...args: ClientMethodArgs<TClient, K>): Promise<void> {
    return this.#manager.send(this.#target, { type: MessageType.Invocation, target: method, arguments: args }, this.#except);
  }
}

/** One connection: can also ask it for a result. */
export class SingleClientProxy<TClient extends object = MethodMap> extends ClientProxy<TClient> {
  readonly #manager: HubLifetimeManager;
  readonly #connectionId: string;
  readonly #guard: InvokeGuard | undefined;

  /** @internal */
  constructor(manager: HubLifetimeManager, connectionId: string, guard?: InvokeGuard) {
    super(manager, { kind: 'connection', connectionId });
    this.#manager = manager;
    this.#connectionId = connectionId;
    this.#guard = guard;
  }

  /**
   * Calls `method` on the client and resolves with what its handler returns (a client result).
   * Rejects with a HubException carrying the client's error ("Client didn't provide a result."), or a
   * HubError when the connection does not exist, disconnects, or exceeds `clientResultTimeoutMs`.
   */
  invoke<TResult = unknown>(method: string, ...args: unknown[]): Promise<TResult> {
    if (this.#guard !== undefined) {
      if (!this.#guard.invokeAllowed) {
        return Promise.reject(new HubError(HubErrorCode.InvokeNotAllowed, INVOKE_IN_ON_CONNECTED, 'InvalidOperationException'));
      }
      this.#guard.releaseSlot();
    }
    return this.#manager.invoke(this.#connectionId, method, args) as Promise<TResult>;
  }
}

/** Targets available everywhere: in hubs and through `app.hubContext(Hub)`. */
export class HubClients<TClient extends object = MethodMap> {
  /** @internal */
  protected readonly manager: HubLifetimeManager;
  #all: ClientProxy<TClient> | undefined;

  /** @internal */
  constructor(manager: HubLifetimeManager) {
    this.manager = manager;
  }

  /** Every connection of the hub. */
  get all(): ClientProxy<TClient> {
    return (this.#all ??= new ClientProxy(this.manager, { kind: 'all' }));
  }

  /** One connection, by connection id. */
  client(connectionId: string): SingleClientProxy<TClient> {
    return new SingleClientProxy(this.manager, connectionId);
  }

  /** Several connections, by connection id. */
  clients(connectionIds: readonly string[]): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'connections', connectionIds });
  }

  /** Every connection except these. */
  allExcept(excludedConnectionIds: readonly string[]): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'all' }, excludedConnectionIds);
  }

  /** The members of a group (names are case-sensitive). */
  group(group: string): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'group', group });
  }

  /** The members of each group; a connection in two of them receives the message twice, as in .NET. */
  groups(groups: readonly string[]): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'groups', groups });
  }

  /** The members of a group except these connections. */
  groupExcept(group: string, excludedConnectionIds: readonly string[]): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'group', group }, excludedConnectionIds);
  }

  /** Every connection of a user (see `userIdProvider`). */
  user(userId: string): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'user', userId });
  }

  /** Every connection of each user. */
  users(userIds: readonly string[]): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'users', userIds });
  }
}

/** Targets inside a hub: adds the caller's perspective. */
export class HubCallerClients<TClient extends object = MethodMap> extends HubClients<TClient> {
  readonly #connectionId: string;
  readonly #guard: InvokeGuard;
  readonly #exceptCaller: readonly string[];

  /** @internal */
  constructor(manager: HubLifetimeManager, connectionId: string, guard: InvokeGuard) {
    super(manager);
    this.#connectionId = connectionId;
    this.#guard = guard;
    this.#exceptCaller = [connectionId];
  }

  /** The connection that made the current call. */
  get caller(): SingleClientProxy<TClient> {
    return new SingleClientProxy(this.manager, this.#connectionId, this.#guard);
  }

  /** Every connection except the caller. */
  get others(): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'all' }, this.#exceptCaller);
  }

  /** The members of a group except the caller. */
  othersInGroup(group: string): ClientProxy<TClient> {
    return new ClientProxy(this.manager, { kind: 'group', group }, this.#exceptCaller);
  }

  override client(connectionId: string): SingleClientProxy<TClient> {
    return new SingleClientProxy(this.manager, connectionId, this.#guard);
  }
}

/** Adds and removes connections to and from groups. Idempotent; groups vanish with their last member. */
export class GroupManager {
  readonly #manager: HubLifetimeManager;

  /** @internal */
  constructor(manager: HubLifetimeManager) {
    this.#manager = manager;
  }

  add(connectionId: string, group: string): Promise<void> {
    return this.#manager.addToGroup(connectionId, group);
  }

  remove(connectionId: string, group: string): Promise<void> {
    return this.#manager.removeFromGroup(connectionId, group);
  }
}
