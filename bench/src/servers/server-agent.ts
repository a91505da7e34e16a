/**
 * The part every server under test shares: an HTTP server on 127.0.0.1, counters of bytes and socket
 * writes over every accepted socket, and the IPC requests the harness sends:
 * - `usage {gc}`: CPU time, memory (after `global.gc()` when asked; needs --expose-gc), bytes, writes;
 * - `broadcast {perTurn, turns, intervalMs, payloadBytes}`: `perTurn` messages to every connection in
 *   one event-loop turn, `turns` times (the next turn at once, or after `intervalMs`); answers the
 *   monotonic send time of each turn. Each message carries (seq, sentAt, payload);
 * - `heap`: the live heap by constructor (a heap snapshot: slow, for the idle scenario's breakdown).
 */
import { createServer, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { monotonicMs, serveRequests } from '../harness/agent-child.js';
import { heapByConstructor } from './heap-summary.js';

/** How one system sends a message to every connection it holds. */
export interface Broadcaster {
  send(seq: number, sentAt: number, payload: string): void;
  connections(): number;
  close(): Promise<void>;
}

export interface ServerUsage {
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Write requests handed to libuv on accepted sockets (a corked batch counts once). */
  readonly writes: number;
  readonly connections: number;
}

let writes = 0;
const accepted = new WeakSet<Socket>();
// Count libuv write requests on the server's sockets: `_writeGeneric` runs once per write or writev
// (a corked batch). Internal, but stable across Node 16-24, and only used in this bench process.
const prototype = Socket.prototype as unknown as Record<string, unknown>;
const writeMethod = typeof prototype['_writeGeneric'] === 'function' ? '_writeGeneric' : 'write';
const original = prototype[writeMethod] as (this: Socket, ...args: unknown[]) => unknown;
prototype[writeMethod] = function countedWrite(this: Socket, ...args: unknown[]): unknown {
  if (accepted.has(this)) writes++;
  return original.apply(this, args);
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Starts the HTTP server, lets `setup` attach a system to it, then serves the harness's requests. */
export async function runServerAgent(setup: (server: Server) => Promise<Broadcaster> | Broadcaster): Promise<void> {
  const server = createServer();
  const sockets = new Set<Socket>();
  let closedRead = 0;
  let closedWritten = 0;
  server.on('connection', (socket: Socket) => {
    accepted.add(socket);
    sockets.add(socket);
    socket.once('close', () => {
      closedRead += socket.bytesRead;
      closedWritten += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  const broadcaster = await setup(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let seq = 0;

  const usage = (body: Record<string, unknown>): ServerUsage => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (body['gc'] === true && gc !== undefined) {
      gc();
      gc();
    }
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    let bytesRead = closedRead;
    let bytesWritten = closedWritten;
    for (const socket of sockets) {
      bytesRead += socket.bytesRead;
      bytesWritten += socket.bytesWritten;
    }
    return {
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      bytesRead,
      bytesWritten,
      writes,
      connections: broadcaster.connections(),
    };
  };

  const broadcast = async (body: Record<string, unknown>): Promise<number[]> => {
    const perTurn = Number(body['perTurn'] ?? 1);
    const turns = Number(body['turns'] ?? 1);
    const intervalMs = Number(body['intervalMs'] ?? 0);
    const payload = 'x'.repeat(Number(body['payloadBytes'] ?? 32));
    const sentAt: number[] = [];
    for (let turn = 0; turn < turns; turn++) {
      if (turn > 0) await (intervalMs > 0 ? sleep(intervalMs) : nextTurn());
      const now = monotonicMs();
      sentAt.push(now);
      for (let i = 0; i < perTurn; i++) broadcaster.send(seq++, now, payload);
    }
    return sentAt;
  };

  const port = (server.address() as AddressInfo).port;
  serveRequests({ port, pid: process.pid }, { usage, broadcast, heap: heapByConstructor }, async () => {
    await broadcaster.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}
