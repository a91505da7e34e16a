/**
 * Private redis-server processes for tests that must stop a broker or form a cluster, on free local
 * ports in a temp folder. The machine's own Redis (6379) is never touched.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A port free now, whose cluster-bus twin (port + 10000) is free too. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (port + 10_000 <= 65_535 && (await listenOnce(port + 10_000).then(() => true, () => false))) return port;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : port));
    });
  });
}

/** One redis-server on `port`, stoppable and restartable on the same port. */
export class RedisServer {
  readonly port: number;
  readonly #dir: string;
  readonly #extraArgs: readonly string[];
  #process: ChildProcess | undefined;

  constructor(port: number, dir: string, extraArgs: readonly string[] = []) {
    this.port = port;
    this.#dir = dir;
    this.#extraArgs = extraArgs;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it and resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir, ...this.#extraArgs];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server on ${this.port} did not start: ${output}`)), 10_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run redis-server (is it on PATH?): ${error.message}`));
      });
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${this.port} exited with ${code}: ${output}`));
      });
    });
  }

  /** Stops it (SIGTERM: Redis closes every client connection) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Redis servers in one temp folder, removed with them. */
export class RedisServers {
  readonly servers: RedisServer[] = [];
  readonly #dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-'));

  async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const port = await freePort();
    const dir = join(this.#dir, String(port));
    mkdirSync(dir, { recursive: true });
    const server = new RedisServer(port, dir, extraArgs);
    this.servers.push(server);
    await server.start();
    return server;
  }

  /** Three masters forming a Redis Cluster (slots split evenly, no replicas), ready to serve. */
  async startCluster(size = 3): Promise<RedisServer[]> {
    const nodes = await Promise.all(
      Array.from({ length: size }, () => this.start(['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000', '--cluster-config-file', 'nodes.conf'])),
    );
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-yes'], { timeout: 30_000 });
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(node.port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`the cluster did not become ready: ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return nodes;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
