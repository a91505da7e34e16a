/**
 * One system under test as the scenarios use it: its server in one child process (--expose-gc) and
 * its load in others, each load process holding a share of the connections.
 */
import type { ClientKind } from '../clients/light-clients.js';
import type { ServerUsage } from '../servers/server-agent.js';
import { Agent } from './agent.js';

export interface SystemSpec {
  readonly name: string;
  /** Script under dist/, e.g. `servers/switchyard`. */
  readonly server: string;
  /** Arguments of the server script. */
  readonly args?: readonly string[];
  readonly client: ClientKind;
}

export const switchyard: SystemSpec = { name: 'switchyard', server: 'servers/switchyard', client: 'signalr-ws' };
/** Switchyard with `coalesceOutbound: false`: each message its own frame and write. */
export const switchyardUncoalesced: SystemSpec = { name: 'switchyard, coalescing off', server: 'servers/switchyard', client: 'signalr-ws', args: ['--coalesce', 'off'] };
export const rawWs: SystemSpec = { name: 'raw ws', server: 'servers/raw-ws', client: 'raw-ws' };
export const socketIo: SystemSpec = { name: 'socket.io', server: 'servers/socketio', client: 'socketio-ws' };
/** A row of a scenario's table under its own name: `spec`'s server, loaded by `client`. */
export interface SystemRow {
  readonly name: string;
  readonly spec: SystemSpec;
  readonly client: ClientKind;
}
/** The three systems every single-server scenario compares, in table order. */
export const comparedSystems: readonly SystemSpec[] = [switchyard, rawWs, socketIo];

export interface RoundOptions {
  /** Messages to every connection in one event-loop turn. */
  readonly perTurn: number;
  readonly turns: number;
  /** 0: the next turn at once (setImmediate); otherwise a pause between turns. */
  readonly intervalMs?: number;
  readonly payloadBytes: number;
  /** Collect every message's latency (receive − send). */
  readonly latencies?: boolean;
  readonly timeoutMs?: number;
}

export interface RoundResult {
  /** Server CPU (user + system) from before the first send until every client had every message. */
  readonly cpuUs: number;
  /** Monotonic send time of each turn. */
  readonly sentAt: readonly number[];
  /** Monotonic time the last client received its last message. */
  readonly lastAt: number;
  readonly frames: number;
  readonly writes: number;
  readonly bytes: number;
  readonly latencies: readonly number[];
}

let profiles = 0;

/** `--expose-gc` for heap readings; `--cpu-prof` into `BENCH_CPU_PROF` when set, named after the system. */
function serverExecArgv(spec: SystemSpec): string[] {
  const directory = process.env['BENCH_CPU_PROF'];
  if (directory === undefined || directory === '') return ['--expose-gc'];
  const name = `${spec.name.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}-${++profiles}.cpuprofile`;
  return ['--expose-gc', '--cpu-prof', '--cpu-prof-dir', directory, '--cpu-prof-name', name];
}

function cpuUs(usage: ServerUsage): number {
  return usage.cpuUserUs + usage.cpuSystemUs;
}

export class Deployment {
  readonly spec: SystemSpec;
  readonly server: Agent;
  readonly url: string;
  readonly #loads: Agent[];
  #connections = 0;

  private constructor(spec: SystemSpec, server: Agent, loads: Agent[]) {
    this.spec = spec;
    this.server = server;
    this.url = `http://127.0.0.1:${String(server.info['port'])}`;
    this.#loads = loads;
  }

  /** Starts the server, then `loadProcesses` load processes using `client` (the spec's by default). */
  static async start(spec: SystemSpec, loadProcesses: number, client: ClientKind = spec.client): Promise<Deployment> {
    const server = await Agent.start(spec.server, spec.args ?? [], { execArgv: serverExecArgv(spec), name: `${spec.name} server` });
    const url = `http://127.0.0.1:${String(server.info['port'])}`;
    try {
      const loads = await Promise.all(
        Array.from({ length: loadProcesses }, (_, i) => Agent.start('clients/load-agent', ['--client', client, '--url', url], { name: `${spec.name} load ${i + 1}` })),
      );
      return new Deployment(spec, server, loads);
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  get connections(): number {
    return this.#connections;
  }

  /** Opens `count` more connections, spread evenly over the load processes. */
  async connect(count: number, concurrency = 50): Promise<void> {
    const shares = this.#loads.map((_, i) => Math.floor(count / this.#loads.length) + (i < count % this.#loads.length ? 1 : 0));
    await Promise.all(this.#loads.map((load, i) => (shares[i]! > 0 ? load.request('connect', { count: shares[i], concurrency }) : Promise.resolve())));
    this.#connections += count;
  }

  /** Closes every connection (the processes stay). */
  async disconnectAll(): Promise<void> {
    await Promise.all(this.#loads.map((load) => load.request('close')));
    this.#connections = 0;
  }

  usage(gc = false): Promise<ServerUsage> {
    return this.server.request<ServerUsage>('usage', { gc });
  }

  /** Broadcasts as `options` says and waits until every connection received every message. */
  async round(options: RoundOptions): Promise<RoundResult> {
    const messages = options.perTurn * options.turns;
    await Promise.all(this.#loads.map((load) => load.request('arm', { messages, latencies: options.latencies === true })));
    const waits = this.#loads.map((load) => load.request<{ lastAt: number; frames: number; latencies?: number[] }>('wait', { timeoutMs: options.timeoutMs ?? 120_000 }));
    const before = await this.usage();
    const sentAt = await this.server.request<number[]>('broadcast', {
      perTurn: options.perTurn,
      turns: options.turns,
      intervalMs: options.intervalMs ?? 0,
      payloadBytes: options.payloadBytes,
    });
    const received = await Promise.all(waits);
    const after = await this.usage();
    return {
      cpuUs: cpuUs(after) - cpuUs(before),
      sentAt,
      lastAt: Math.max(...received.map((r) => r.lastAt)),
      frames: received.reduce((sum, r) => sum + r.frames, 0),
      writes: after.writes - before.writes,
      bytes: after.bytesRead + after.bytesWritten - before.bytesRead - before.bytesWritten,
      latencies: received.flatMap((r) => r.latencies ?? []),
    };
  }

  /** `callers` connections (spread over the load processes) each invoke echo `calls` times in a row. */
  async echo(callers: number, calls: number, payloadBytes: number): Promise<{ latencies: number[]; elapsedMs: number; cpuUs: number }> {
    const shares = this.#loads.map((_, i) => Math.floor(callers / this.#loads.length) + (i < callers % this.#loads.length ? 1 : 0));
    const before = await this.usage();
    const results = await Promise.all(
      this.#loads.map((load, i) => (shares[i]! > 0 ? load.request<{ latencies: number[]; elapsedMs: number }>('echo', { callers: shares[i], calls, payloadBytes }) : Promise.resolve({ latencies: [], elapsedMs: 0 }))),
    );
    const after = await this.usage();
    return { latencies: results.flatMap((r) => r.latencies), elapsedMs: Math.max(...results.map((r) => r.elapsedMs)), cpuUs: cpuUs(after) - cpuUs(before) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.#loads.map((load) => load.request('close').catch(() => {})));
    await Promise.all(this.#loads.map((load) => load.stop()));
    await this.server.stop();
  }
}

/** Runs `body` with a fresh deployment of `spec`, always stopping it. */
export async function withDeployment<T>(spec: SystemSpec, loadProcesses: number, body: (deployment: Deployment) => Promise<T>, client?: ClientKind): Promise<T> {
  const deployment = await Deployment.start(spec, loadProcesses, client);
  try {
    return await body(deployment);
  } finally {
    await deployment.stop();
  }
}
