import type { MethodMap } from '@switchyard/protocol';
import { HubCallerClients, type GroupManager, type InvokeGuard } from './clients.js';
import { HubError, HubErrorCode } from './errors.js';
import type { HubCallerContext } from './hub-context.js';
import type { HubLifetimeManager } from './lifetime/hub-lifetime-manager.js';

/** What the server attaches to each hub instance before calling it. @internal */
export interface HubScope extends InvokeGuard {
  readonly context: HubCallerContext;
  readonly manager: HubLifetimeManager;
  readonly groups: GroupManager;
  /** The invocation's signal (a stream's own, else the connection's). */
  readonly signal: AbortSignal;
}

let attach: (hub: Hub, scope: HubScope) => void;

/**
 * Base class of hubs. A NEW instance serves each invocation and each lifecycle call (hubs are transient,
 * as in .NET): keep per-connection state in `this.context.items`, shared state elsewhere.
 *
 * Callable methods are the methods declared on subclasses (not accessors), except `constructor`,
 * `onConnected`, `onDisconnected` and names starting with `_`. Invocation targets match them
 * case-insensitively. An `async *` method is a streaming method; `AsyncIterable` arguments appended after
 * the regular ones are the client's upload streams. A method's declared parameter count (`fn.length`,
 * upload streams included) is the argument count it accepts: parameters with defaults or rest
 * parameters are not counted.
 *
 * @typeParam TClient the methods clients expose, so `this.clients.all.send(...)` type-checks.
 */
export abstract class Hub<TClient extends object = MethodMap> {
  #scope: HubScope | undefined;
  #clients: HubCallerClients<TClient> | undefined;

  static {
    attach = (hub, scope) => {
      hub.#scope = scope;
    };
  }

  /** The calling connection. */
  get context(): HubCallerContext {
    return this.#attached().context;
  }

  /** Who to talk to: the caller, others, groups, users, everyone. */
  get clients(): HubCallerClients<TClient> {
    const scope = this.#attached();
    return (this.#clients ??= new HubCallerClients<TClient>(scope.manager, scope.context.connectionId, scope));
  }

  /** Group membership. */
  get groups(): GroupManager {
    return this.#attached().groups;
  }

  /**
   * Aborted when this invocation should stop: a stream's CancelInvocation, or the connection ending.
   * Long-running methods should pass it on (fetch, timers) or check `aborted`.
   */
  get signal(): AbortSignal {
    return this.#attached().signal;
  }

  /** Runs after the handshake, before any invocation of this connection. Throwing closes the connection. */
  onConnected(): void | Promise<void> {}

  /**
   * Runs once when a connection that completed `onConnected` ends. `error` is undefined for a graceful
   * end (client stop, `context.abort()`, server shutdown) and set when the connection failed.
   */
  onDisconnected(_error?: Error): void | Promise<void> {}

  #attached(): HubScope {
    if (this.#scope === undefined) {
      throw new HubError(
        HubErrorCode.HubNotAttached,
        'The hub is not attached to a connection yet: use this.context, this.clients and this.groups in hub methods, not in the constructor.',
      );
    }
    return this.#scope;
  }
}

/** A hub class the server can instantiate. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HubClass<THub extends Hub<any> = Hub<any>> = new () => THub;

/** Creates a hub for one call and attaches it. @internal */
export function createHub(hubClass: HubClass, scope: HubScope): Hub {
  const hub = new hubClass() as Hub;
  attach(hub, scope);
  return hub;
}
