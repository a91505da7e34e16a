import type { CompletionMessage, InvocationMessage } from '@switchyard/protocol';
import { HubError, HubErrorCode } from '../errors.js';
import { connectionNotFound } from '../error-messages.js';
import type { Heartbeat } from '../heartbeat.js';
import { ClientResultTracker } from './client-result-tracker.js';
import type { HubConnectionContext, HubLifetimeManager, SendTarget } from './hub-lifetime-manager.js';
import { SerializedMessage } from './serialized-message.js';
import { groupQuotaRefusal } from '../limits/group-quota.js';

export interface LocalHubLifetimeManagerOptions {
  /** The shared heartbeat, for client-result timeouts. */
  readonly heartbeat: Heartbeat;
  /** See `HubOptions.clientResultTimeoutMs`. */
  readonly clientResultTimeoutMs: number | null;
}

/** Above this many excluded ids a Set beats a linear scan. */
const EXCLUDE_SET_THRESHOLD = 8;
type Exclusion = readonly string[] | ReadonlySet<string> | undefined;

/**
 * The in-process lifetime manager: connections, groups and users of one hub, all in memory.
 * Broadcasts are encoded once per protocol in use (see {@link SerializedMessage}).
 */
export class LocalHubLifetimeManager implements HubLifetimeManager {
  readonly #connections = new Map<string, HubConnectionContext>();
  readonly #groups = new Map<string, Set<HubConnectionContext>>();
  /** Groups of each connection that joined any, so a disconnect leaves them without a scan. */
  readonly #memberships = new Map<HubConnectionContext, Set<string>>();
  readonly #users = new Map<string, Set<HubConnectionContext>>();
  readonly #results: ClientResultTracker;

  constructor(options: LocalHubLifetimeManagerOptions) {
    this.#results = new ClientResultTracker(options.heartbeat, options.clientResultTimeoutMs);
  }

  onConnected(connection: HubConnectionContext): Promise<void> {
    this.#connections.set(connection.connectionId, connection);
    if (connection.userId !== undefined) addTo(this.#users, connection.userId, connection);
    return Promise.resolve();
  }

  onDisconnected(connection: HubConnectionContext): Promise<void> {
    this.#connections.delete(connection.connectionId);
    const groups = this.#memberships.get(connection);
    if (groups !== undefined) {
      for (const group of groups) removeFrom(this.#groups, group, connection);
      this.#memberships.delete(connection);
    }
    if (connection.userId !== undefined) removeFrom(this.#users, connection.userId, connection);
    return Promise.resolve();
  }

  send(target: SendTarget, message: InvocationMessage, except?: readonly string[]): Promise<void> {
    try {
      this.#send(target, message, except);
    } catch (error) {
      // An argument that cannot be encoded is the caller's error; report it through the promise.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve();
  }

  #send(target: SendTarget, message: InvocationMessage, except: readonly string[] | undefined): void {
    const excluded: Exclusion =
      except === undefined || except.length === 0
        ? undefined
        : except.length > EXCLUDE_SET_THRESHOLD
          ? new Set(except)
          : except;
    switch (target.kind) {
      case 'connection': {
        // One recipient: encode directly, nothing to share.
        const connection = this.#connections.get(target.connectionId);
        if (connection !== undefined && !isExcluded(excluded, connection.connectionId)) connection.sendMessage(message);
        break;
      }
      case 'all':
        sendToEach(this.#connections.values(), new SerializedMessage(message), excluded);
        break;
      case 'connections': {
        const serialized = new SerializedMessage(message);
        for (const id of target.connectionIds) {
          const connection = this.#connections.get(id);
          if (connection !== undefined && !isExcluded(excluded, id)) connection.sendSerialized(serialized);
        }
        break;
      }
      case 'group':
        this.#sendToSets(this.#groups, [target.group], message, excluded);
        break;
      case 'groups':
        this.#sendToSets(this.#groups, target.groups, message, excluded);
        break;
      case 'user':
        this.#sendToSets(this.#users, [target.userId], message, excluded);
        break;
      case 'users':
        this.#sendToSets(this.#users, target.userIds, message, excluded);
        break;
    }
  }

  async invoke(connectionId: string, target: string, args: readonly unknown[]): Promise<unknown> {
    const connection = this.#connections.get(connectionId);
    if (connection === undefined) {
      throw new HubError(HubErrorCode.ConnectionNotFound, connectionNotFound(connectionId), 'IOException');
    }
    return this.#results.invokeOn(connection, target, args);
  }

  setConnectionResult(connectionId: string, completion: CompletionMessage): boolean {
    return this.#results.complete(connectionId, completion);
  }

  addToGroup(connectionId: string, group: string): Promise<void> {
    const connection = this.#connections.get(connectionId);
    if (connection === undefined || connection.signal.aborted) return Promise.resolve();
    const refused = groupQuotaRefusal(connection, this.#memberships.get(connection), group);
    if (refused !== undefined) return Promise.reject(refused);
    let groups = this.#memberships.get(connection);
    if (groups === undefined) this.#memberships.set(connection, (groups = new Set()));
    if (!groups.has(group)) {
      groups.add(group);
      addTo(this.#groups, group, connection);
    }
    return Promise.resolve();
  }

  removeFromGroup(connectionId: string, group: string): Promise<void> {
    const connection = this.#connections.get(connectionId);
    if (connection === undefined) return Promise.resolve();
    const groups = this.#memberships.get(connection);
    if (groups?.delete(group) === true) removeFrom(this.#groups, group, connection);
    return Promise.resolve();
  }

  dispose(): Promise<void> {
    this.#results.dispose(new HubError(HubErrorCode.Closed, 'The server is shutting down.'));
    return Promise.resolve();
  }

  #sendToSets(
    index: ReadonlyMap<string, ReadonlySet<HubConnectionContext>>,
    keys: readonly string[],
    message: InvocationMessage,
    excluded: Exclusion,
  ): void {
    // Like .NET, a connection in two of the named groups gets the message twice.
    let serialized: SerializedMessage | undefined;
    for (const key of keys) {
      const members = index.get(key);
      if (members === undefined) continue;
      sendToEach(members, (serialized ??= new SerializedMessage(message)), excluded);
    }
  }
}

function sendToEach(connections: Iterable<HubConnectionContext>, message: SerializedMessage, excluded: Exclusion): void {
  for (const connection of connections) {
    if (!isExcluded(excluded, connection.connectionId)) connection.sendSerialized(message);
  }
}

function isExcluded(excluded: Exclusion, connectionId: string): boolean {
  if (excluded === undefined) return false;
  return Array.isArray(excluded) ? excluded.includes(connectionId) : (excluded as ReadonlySet<string>).has(connectionId);
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}
