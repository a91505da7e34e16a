/**
 * How a many-connection run spreads its connections over load processes, server processes and
 * loopback source addresses, so that no process passes its open-file limit and no source address
 * runs out of ephemeral ports. Pure: the machine's limits come in as arguments (see `limits.ts`).
 */

/** What bounds one run on this machine. */
export interface MachineLimits {
  /** Open files one process may hold (`ulimit -n`). */
  readonly filesPerProcess: number;
  /**
   * Ephemeral ports one source address offers (`ip_local_port_range`): a socket bound to an address
   * before it connects takes a port no other socket on that address holds, whatever the destination.
   */
  readonly portsPerAddress: number;
}

export interface PlanRequest {
  readonly connections: number;
  readonly servers: number;
  readonly loaders: number;
  /** Source addresses, e.g. 127.0.0.2 … 127.0.0.9. */
  readonly addresses: readonly string[];
  readonly limits: MachineLimits;
  /** Files a process keeps for itself (listening socket, broker links, stdio, modules). @default 1000 */
  readonly reservedFiles?: number;
  /** Ports of each address left for everything else on the machine. @default 1000 */
  readonly reservedPorts?: number;
}

/** Connections one load process opens from one source address to one server. */
export interface Slot {
  readonly address: string;
  readonly server: number;
  readonly count: number;
}

export interface LoadPlan {
  /** Per load process, its slots. */
  readonly loaders: readonly (readonly Slot[])[];
  readonly perLoader: readonly number[];
  readonly perServer: readonly number[];
  readonly perAddress: Readonly<Record<string, number>>;
}

/** Thrown when the request cannot fit the limits; the message says which knob to turn. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}

/**
 * Connection `i` goes to server `i mod S`, source address `⌊i / S⌋ mod A` and load process
 * `⌊i / (S·A)⌋ mod L`: servers are balanced to within one connection, addresses to within S, load
 * processes to within S·A, and (once there are at least S·A·L connections) every load process reaches every
 * server from every address.
 * @throws PlanError when a process would pass `filesPerProcess − reservedFiles` or an address
 * `portsPerAddress − reservedPorts`.
 */
export function planLoad(request: PlanRequest): LoadPlan {
  const { connections, servers, loaders, addresses, limits } = request;
  for (const [name, value] of Object.entries({ connections, servers, loaders, addresses: addresses.length })) {
    if (!Number.isInteger(value) || value < 1) throw new PlanError(`${name} must be a positive integer, got ${value}`);
  }
  const counts = new Map<string, number>();
  const key = (loader: number, server: number, address: number): string => `${loader}/${server}/${address}`;
  const perLoader = new Array<number>(loaders).fill(0);
  const perServer = new Array<number>(servers).fill(0);
  const perAddressIndex = new Array<number>(addresses.length).fill(0);
  for (let i = 0; i < connections; i++) {
    const server = i % servers;
    const address = Math.floor(i / servers) % addresses.length;
    const loader = Math.floor(i / (servers * addresses.length)) % loaders;
    const k = key(loader, server, address);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    perLoader[loader]!++;
    perServer[server]!++;
    perAddressIndex[address]!++;
  }

  const fileBudget = limits.filesPerProcess - (request.reservedFiles ?? 1000);
  const portBudget = limits.portsPerAddress - (request.reservedPorts ?? 1000);
  const worstLoader = Math.max(...perLoader);
  const worstServer = Math.max(...perServer);
  const worstAddress = Math.max(...perAddressIndex);
  if (worstLoader > fileBudget) {
    throw new PlanError(`a load process would hold ${worstLoader} sockets, over its ${fileBudget} (open-file limit ${limits.filesPerProcess} less reserve): raise --loaders`);
  }
  if (worstServer > fileBudget) {
    throw new PlanError(`a server would hold ${worstServer} connections, over its ${fileBudget} (open-file limit ${limits.filesPerProcess} less reserve): raise --servers`);
  }
  if (worstAddress > portBudget) {
    throw new PlanError(`a source address would need ${worstAddress} ports, over its ${portBudget} (ephemeral range ${limits.portsPerAddress} less reserve): raise --addresses`);
  }

  const plan: Slot[][] = Array.from({ length: loaders }, () => []);
  for (let loader = 0; loader < loaders; loader++) {
    for (let server = 0; server < servers; server++) {
      for (let address = 0; address < addresses.length; address++) {
        const count = counts.get(key(loader, server, address));
        if (count !== undefined) plan[loader]!.push({ address: addresses[address]!, server, count });
      }
    }
  }
  const perAddress = Object.fromEntries(addresses.map((address, index) => [address, perAddressIndex[index]!]));
  return { loaders: plan, perLoader, perServer, perAddress };
}

/** The loopback addresses 127.0.0.`first` … 127.0.0.`first + count − 1`. */
export function loopbackAddresses(count: number, first = 2): string[] {
  if (!Number.isInteger(count) || count < 1 || first + count - 1 > 254) throw new PlanError(`cannot take ${count} loopback addresses from 127.0.0.${first}`);
  return Array.from({ length: count }, (_, index) => `127.0.0.${first + index}`);
}

/**
 * One target per connection, taking the slots in turn (one from each, then again), so that a ramp
 * spreads over every server and address from its start instead of filling one slot after another.
 */
export function interleave<T extends Slot>(slots: readonly T[]): T[] {
  const targets: T[] = [];
  const longest = Math.max(0, ...slots.map((slot) => slot.count));
  for (let round = 0; round < longest; round++) {
    for (const slot of slots) if (slot.count > round) targets.push(slot);
  }
  return targets;
}
