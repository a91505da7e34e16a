/**
 * How a many-connection run spreads its connections over load processes, server processes and
 * loopback source addresses, so that no process passes its open-file limit and no source address
 * runs out of ephemeral ports. Pure: the machine's limits come in as arguments (see `limits.ts`).
 */

/** What bounds one run on this machine. */
export interface MachineLimits {
  /** Open files one process may hold (`ulimit -n`). */
  readonly filesPerProcess: number;
}

/** Local ports the load clients bind, first to last inclusive, on each source address. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

export interface PlanRequest {
  readonly connections: number;
  readonly servers: number;
  readonly loaders: number;
  /** Source addresses, e.g. 127.0.0.2 … 127.0.0.9. */
  readonly addresses: readonly string[];
  readonly limits: MachineLimits;
  /**
   * The local ports to bind on every source address. Each client binds an explicit port: letting the
   * kernel pick one (`bind(addr, 0)`) costs a search that grows with the sockets already bound, and
   * takes those ports from every other process's outgoing connects (the kernel's bind table is keyed
   * by port number), so a range below the ephemeral one keeps the rest of the machine unaffected.
   */
  readonly ports: PortRange;
  /** Files a process keeps for itself (listening socket, broker links, stdio, modules). @default 1000 */
  readonly reservedFiles?: number;
  /** Ports of each address left over for ports found taken (another listener, a TIME_WAIT). @default 1000 */
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
  /** Per load process, its share of the port range on each address it uses, in proportion to its connections there. */
  readonly ports: readonly Readonly<Record<string, PortRange>>[];
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
  const portCount = request.ports.last - request.ports.first + 1;
  if (!(request.ports.first >= 1 && request.ports.last <= 65_535 && portCount >= 1)) {
    throw new PlanError(`the port range ${request.ports.first}-${request.ports.last} is not within 1-65535`);
  }
  const portBudget = portCount - (request.reservedPorts ?? 1000);
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
    throw new PlanError(`a source address would need ${worstAddress} ports, over its ${portBudget} (${portCount} in the port range less reserve): raise --addresses`);
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
  const ports = splitPorts(request.ports, addresses, loaders, (loader, address) =>
    Array.from({ length: servers }, (_, server) => counts.get(key(loader, server, address)) ?? 0).reduce((a, b) => a + b, 0),
  );
  return { loaders: plan, perLoader, perServer, perAddress, ports };
}

/** Each address's range cut into consecutive shares, one per load process using it, in proportion to its count. */
function splitPorts(
  range: PortRange, addresses: readonly string[], loaders: number, count: (loader: number, address: number) => number,
): Record<string, PortRange>[] {
  const shares: Record<string, PortRange>[] = Array.from({ length: loaders }, () => ({}));
  const size = range.last - range.first + 1;
  addresses.forEach((address, a) => {
    const total = Array.from({ length: loaders }, (_, loader) => count(loader, a)).reduce((x, y) => x + y, 0);
    let next = range.first;
    for (let loader = 0; loader < loaders; loader++) {
      const own = count(loader, a);
      if (own === 0) continue;
      const share = Math.floor((size * own) / total);
      shares[loader]![address] = { first: next, last: next + share - 1 };
      next += share;
    }
  });
  return shares;
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
