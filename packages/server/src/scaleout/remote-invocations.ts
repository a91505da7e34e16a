/** A client-result invocation another server sent to one of this server's connections. */
export interface RemoteInvocation {
  readonly connectionId: string;
  /** The server waiting for the Completion (its `return` channel). */
  readonly origin: string;
}

/**
 * Client results this server owes other servers: the Completion a local connection sends for one of
 * these ids goes back to its origin, and a connection that ends first answers all of its own with
 * "disconnected". Ids are unique across servers (each origin prefixes its own).
 */
export class RemoteInvocations {
  readonly #byId = new Map<string, RemoteInvocation>();
  readonly #byConnection = new Map<string, Set<string>>();

  add(invocationId: string, connectionId: string, origin: string): void {
    this.#byId.set(invocationId, { connectionId, origin });
    let ids = this.#byConnection.get(connectionId);
    if (ids === undefined) this.#byConnection.set(connectionId, (ids = new Set()));
    ids.add(invocationId);
  }

  /** Removes and returns the invocation, if `connectionId` is the one it was sent to. */
  take(invocationId: string, connectionId: string): RemoteInvocation | undefined {
    const invocation = this.#byId.get(invocationId);
    if (invocation === undefined || invocation.connectionId !== connectionId) return undefined;
    this.#byId.delete(invocationId);
    const ids = this.#byConnection.get(connectionId);
    ids?.delete(invocationId);
    if (ids?.size === 0) this.#byConnection.delete(connectionId);
    return invocation;
  }

  /** Removes and returns every invocation still waiting on `connectionId`. */
  takeAll(connectionId: string): Array<readonly [invocationId: string, invocation: RemoteInvocation]> {
    const ids = this.#byConnection.get(connectionId);
    if (ids === undefined) return [];
    this.#byConnection.delete(connectionId);
    const taken: Array<readonly [string, RemoteInvocation]> = [];
    for (const id of ids) {
      const invocation = this.#byId.get(id);
      this.#byId.delete(id);
      if (invocation !== undefined) taken.push([id, invocation]);
    }
    return taken;
  }
}
