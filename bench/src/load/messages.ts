/** The IPC messages between the c100k coordinator and its server and load processes. */
import type { PortRange } from './plan.js';

/** One server process's state, sampled after a full GC. */
export interface ServerStats {
  readonly connections: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  /** process.cpuUsage() user + system, µs since the process started. */
  readonly cpuMicros: number;
}

/** `gc: false` samples without a full GC first (CPU samples around a measurement). */
export type ToServer = { readonly type: 'stats'; readonly gc?: boolean } | { readonly type: 'stop' };
export type FromServer = { readonly type: 'listening'; readonly port: number } | ({ readonly type: 'stats' } & ServerStats);

/** A target of a load process: where to connect from. */
export interface LoadTarget {
  readonly address: string;
  readonly port: number;
  readonly count: number;
}

export interface ConnectCommand {
  readonly type: 'connect';
  readonly targets: readonly LoadTarget[];
  /** Per source address, the local ports this process binds (taken ones are skipped). */
  readonly ports: Readonly<Record<string, PortRange>>;
  /** Hub path, e.g. `/load`. */
  readonly path: string;
  /** Handshakes in flight at once in this process. */
  readonly concurrency: number;
  /** `direct`: WebSocket without negotiate (the official client's skipNegotiation); `negotiate`: POST negotiate first. */
  readonly transport: 'direct' | 'negotiate';
  /** Send a SignalR Ping on every connection this often, as clients do (the server's client timeout). */
  readonly pingIntervalMs: number;
}

export type ToLoader =
  | ConnectCommand
  | { readonly type: 'cpu' }
  /** Forget earlier receipts: a broadcast stamped `id` comes next. */
  | { readonly type: 'expect'; readonly id: number }
  | { readonly type: 'delays' }
  /** Close every connection, this many close handshakes at a time. */
  | { readonly type: 'close'; readonly concurrency: number };

export type FromLoader =
  | { readonly type: 'progress'; readonly open: number; readonly failed: number }
  | {
      readonly type: 'connected';
      readonly open: number;
      readonly failed: number;
      readonly failures: Readonly<Record<string, number>>;
      /** Local ports found taken (EADDRINUSE) and skipped. */
      readonly portsSkipped: number;
      /** Per connection, ms from the start of its connect to its handshake answer. */
      readonly connectMs: readonly number[];
      readonly seconds: number;
    }
  | { readonly type: 'cpu'; readonly cpuMicros: number; readonly rssBytes: number }
  | { readonly type: 'received'; readonly count: number }
  | {
      readonly type: 'delays';
      /** ms from the broadcast's send stamp to its receipt, one per receiving connection. */
      readonly delaysMs: readonly number[];
      /** Copies beyond the first that some connection received. */
      readonly duplicates: number;
      /** Connections that ended since they opened (not asked to). */
      readonly dropped: number;
    }
  | { readonly type: 'closed'; readonly clean: number; readonly forced: number };

/** Wall-clock ms with sub-ms resolution, comparable across processes of one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
