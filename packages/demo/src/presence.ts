/**
 * Who is online across the site. Each server knows its own users (it counts their connections) and
 * tells the others with a roster on the site bus, on every change and every few seconds; a roster
 * not refreshed for a while is dropped, so the users of a server that died disappear.
 */
export class Presence {
  readonly #instance: string;
  readonly #localConnections = new Map<string, number>();
  readonly #rosters = new Map<string, { users: readonly string[]; at: number }>();
  readonly #staleAfterMs: number;
  #published = '';

  constructor(instance: string, staleAfterMs = 10_000) {
    this.#instance = instance;
    this.#staleAfterMs = staleAfterMs;
  }

  /** A connection of `user` opened here. */
  connected(user: string): void {
    this.#localConnections.set(user, (this.#localConnections.get(user) ?? 0) + 1);
  }

  disconnected(user: string): void {
    const count = (this.#localConnections.get(user) ?? 0) - 1;
    if (count > 0) this.#localConnections.set(user, count);
    else this.#localConnections.delete(user);
  }

  /** This server's users, for its roster. */
  localUsers(): string[] {
    return [...this.#localConnections.keys()].sort();
  }

  /** Records a server's roster (this one's included, as it comes back from the bus). */
  roster(instance: string, users: readonly string[], at: number): void {
    this.#rosters.set(instance, { users, at });
  }

  /** Everyone online on a server whose roster is fresh, sorted; this server's own users always count. */
  online(now = Date.now()): string[] {
    const users = new Set(this.localUsers());
    for (const [instance, roster] of this.#rosters) {
      if (now - roster.at > this.#staleAfterMs) this.#rosters.delete(instance);
      else if (instance !== this.#instance) for (const user of roster.users) users.add(user);
    }
    return [...users].sort();
  }

  /** True when `online()` differs from what the last call reported (so clients hear of changes only). */
  changed(online: readonly string[]): boolean {
    const key = online.join('\n');
    if (key === this.#published) return false;
    this.#published = key;
    return true;
  }
}
