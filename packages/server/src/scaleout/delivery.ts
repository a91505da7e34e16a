import type { HubConnectionContext } from '../lifetime/hub-lifetime-manager.js';
import type { SerializedMessage } from '../lifetime/serialized-message.js';

/** Excluded connection ids: a short list is scanned, a long one becomes a Set. */
export type Exclusion = readonly string[] | ReadonlySet<string> | undefined;

/** Above this many excluded ids a Set beats a linear scan. */
const EXCLUDE_SET_THRESHOLD = 8;

export function exclusion(except: readonly string[] | undefined): Exclusion {
  if (except === undefined || except.length === 0) return undefined;
  return except.length > EXCLUDE_SET_THRESHOLD ? new Set(except) : except;
}

export function isExcluded(excluded: Exclusion, connectionId: string): boolean {
  if (excluded === undefined) return false;
  return Array.isArray(excluded) ? excluded.includes(connectionId) : (excluded as ReadonlySet<string>).has(connectionId);
}

/** Writes a message this server produced (every protocol can be encoded on demand). */
export function deliverLocal(connections: Iterable<HubConnectionContext>, message: SerializedMessage, excluded: Exclusion): void {
  for (const connection of connections) {
    if (!isExcluded(excluded, connection.connectionId)) connection.sendSerialized(message);
  }
}

/**
 * Writes a message another server encoded. A connection whose protocol the sender did not encode
 * (servers configured with different protocols) is skipped; returns how many were.
 */
export function deliverRemote(connections: Iterable<HubConnectionContext>, message: SerializedMessage, excluded: Exclusion): number {
  let skipped = 0;
  for (const connection of connections) {
    if (isExcluded(excluded, connection.connectionId)) continue;
    try {
      connection.sendSerialized(message);
    } catch {
      skipped++;
    }
  }
  return skipped;
}
