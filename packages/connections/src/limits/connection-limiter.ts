/**
 * Live connections of one endpoint counted per remote address and per user, so that one client (or one
 * account) cannot take every socket and file descriptor of the process. A connection counts from the
 * moment it is created (negotiate, or a WebSocket without negotiate) until it ends for any reason,
 * including the reaper disposing a negotiated connection that was never used; so flooding negotiate
 * hits the same limit as opening transports.
 *
 * The user is `Principal.userId` as the endpoint's `authenticate` hook returned it at negotiate (the
 * connections layer knows no hubs, so a hub's custom `userIdProvider` does not change the key).
 * Anonymous connections count only per address.
 */
import type { Principal } from '../connection.js';

/** Why a new connection was refused (also the instrumentation label). */
export type ConnectionLimitKind = 'address_limit' | 'user_limit';

/** A refused connection: the HTTP status and the text of the answer. */
export interface ConnectionRefusal {
  readonly kind: ConnectionLimitKind;
  readonly status: 429;
  readonly text: string;
}

/** The keys a live connection was counted under, to uncount it when it ends. */
interface Lease {
  readonly address: string | undefined;
  readonly userId: string | undefined;
}

/** The exact texts of the 429 answers (docs/errors.md). */
export const TOO_MANY_FROM_ADDRESS = 'Too many connections from this address.';
export const TOO_MANY_FOR_USER = 'Too many connections for this user.';

export class ConnectionLimiter {
  readonly #perAddress: number | null;
  readonly #perUser: number | null;
  readonly #byAddress = new Map<string, number>();
  readonly #byUser = new Map<string, number>();
  readonly #leases = new WeakMap<object, Lease>();

  constructor(perAddress: number | null, perUser: number | null) {
    this.#perAddress = perAddress;
    this.#perUser = perUser;
  }

  /** False when neither limit is set: the endpoint skips counting altogether. */
  get enabled(): boolean {
    return this.#perAddress !== null || this.#perUser !== null;
  }

  /** The refusal a new connection from `address` for `user` gets now, or undefined when it may open. */
  check(address: string | undefined, user: Principal | undefined): ConnectionRefusal | undefined {
    const addressKeyValue = addressKey(address);
    if (this.#perAddress !== null && addressKeyValue !== undefined && (this.#byAddress.get(addressKeyValue) ?? 0) >= this.#perAddress) {
      return { kind: 'address_limit', status: 429, text: TOO_MANY_FROM_ADDRESS };
    }
    const userId = user?.userId;
    if (this.#perUser !== null && userId !== undefined && (this.#byUser.get(userId) ?? 0) >= this.#perUser) {
      return { kind: 'user_limit', status: 429, text: TOO_MANY_FOR_USER };
    }
    return undefined;
  }

  /** Counts `connection` (just created after {@link check} allowed it) until {@link release}. */
  admit(connection: object, address: string | undefined, user: Principal | undefined): void {
    const lease: Lease = { address: this.#perAddress === null ? undefined : addressKey(address), userId: this.#perUser === null ? undefined : user?.userId };
    if (lease.address !== undefined) this.#byAddress.set(lease.address, (this.#byAddress.get(lease.address) ?? 0) + 1);
    if (lease.userId !== undefined) this.#byUser.set(lease.userId, (this.#byUser.get(lease.userId) ?? 0) + 1);
    // Nothing counted (an anonymous connection without a per-address limit): no lease to keep.
    if (lease.address !== undefined || lease.userId !== undefined) this.#leases.set(connection, lease);
  }

  /** Uncounts an ended connection; idempotent, and a no-op for connections never admitted. */
  release(connection: object): void {
    const lease = this.#leases.get(connection);
    if (lease === undefined) return;
    this.#leases.delete(connection);
    if (lease.address !== undefined) decrement(this.#byAddress, lease.address);
    if (lease.userId !== undefined) decrement(this.#byUser, lease.userId);
  }
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) and `10.0.0.1` are one address. */
export function addressKey(address: string | undefined): string | undefined {
  if (address === undefined || address === '') return undefined;
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address.toLowerCase();
}

function decrement(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 0) - 1;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}
