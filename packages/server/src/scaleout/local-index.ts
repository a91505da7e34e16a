import type { HubConnectionContext } from '../lifetime/hub-lifetime-manager.js';
import { checkGroupQuota } from '../limits/group-quota.js';

/** What leaving made empty on this server, so the manager can drop those subscriptions. */
export interface Departure {
  readonly emptiedGroups: readonly string[];
  readonly userEmptied: boolean;
}

/**
 * The connections, groups and users held by this server, indexed both ways so that a delivery finds
 * its recipients and a disconnect leaves its groups without a scan.
 */
export class LocalIndex {
  readonly connections = new Map<string, HubConnectionContext>();
  readonly groups = new Map<string, Set<HubConnectionContext>>();
  readonly users = new Map<string, Set<HubConnectionContext>>();
  readonly #memberships = new Map<HubConnectionContext, Set<string>>();

  /** Registers a connection; true when it is its user's first one here. */
  add(connection: HubConnectionContext): boolean {
    this.connections.set(connection.connectionId, connection);
    return connection.userId !== undefined && addTo(this.users, connection.userId, connection);
  }

  remove(connection: HubConnectionContext): Departure {
    this.connections.delete(connection.connectionId);
    const emptiedGroups: string[] = [];
    const groups = this.#memberships.get(connection);
    if (groups !== undefined) {
      for (const group of groups) if (removeFrom(this.groups, group, connection)) emptiedGroups.push(group);
      this.#memberships.delete(connection);
    }
    const userEmptied = connection.userId !== undefined && removeFrom(this.users, connection.userId, connection);
    return { emptiedGroups, userEmptied };
  }

  /**
   * Adds to a group; true when the connection is the group's first member here.
   * @throws HubLimitException `ERR_HUB_TOO_MANY_GROUPS` beyond the connection's `maximumGroups`.
   */
  join(connection: HubConnectionContext, group: string): boolean {
    checkGroupQuota(connection, this.#memberships.get(connection), group);
    let groups = this.#memberships.get(connection);
    if (groups === undefined) this.#memberships.set(connection, (groups = new Set()));
    if (groups.has(group)) return false;
    groups.add(group);
    return addTo(this.groups, group, connection);
  }

  /** Removes from a group; true when that emptied the group here. */
  leave(connection: HubConnectionContext, group: string): boolean {
    const groups = this.#memberships.get(connection);
    if (groups?.delete(group) !== true) return false;
    return removeFrom(this.groups, group, connection);
  }
}

/** Adds; true when the key's set was created. */
function addTo<V>(index: Map<string, Set<V>>, key: string, value: V): boolean {
  const set = index.get(key);
  if (set !== undefined) {
    set.add(value);
    return false;
  }
  index.set(key, new Set([value]));
  return true;
}

/** Removes; true when the key's set became empty (and was dropped). */
function removeFrom<V>(index: Map<string, Set<V>>, key: string, value: V): boolean {
  const set = index.get(key);
  if (set === undefined || !set.delete(value) || set.size > 0) return false;
  index.delete(key);
  return true;
}
