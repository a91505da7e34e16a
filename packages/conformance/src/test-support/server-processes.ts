import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CONFORMANCE_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const START_TIMEOUT_MS = 15_000;

/** How to run a server in its own process, and how to tell it is listening. */
export interface ServerProcessOptions {
  /** The script node runs. */
  readonly main: string;
  readonly args?: readonly string[];
  /** Set over this process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Matches the server's output once it listens; its first group is the URL. Default: Kestrel's line. */
  readonly listening?: RegExp;
  /** Names it in errors and diagnostics (default `the server`). */
  readonly name?: string;
}

/**
 * A server in its own process (`node <main> <args…>`): started, then known by the URL it prints once
 * it listens. Its output (stdout and stderr) is kept for diagnostics.
 */
export class ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** Everything it printed so far, in chunks. */
  readonly output: string[];
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;

  private constructor(name: string, child: ChildProcess, url: string, output: string[]) {
    this.name = name;
    this.#child = child;
    this.url = url;
    this.port = Number(new URL(url).port);
    this.output = output;
    this.exited = child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve(child.exitCode)
      : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts one and resolves once it prints the URL it listens on (rejects after 15 s or if it exits). */
  static start(options: ServerProcessOptions): Promise<ServerProcess> {
    const name = options.name ?? 'the server';
    const listening = options.listening ?? /Now listening on: (http:\/\/\S+)/;
    const child = spawn(process.execPath, [options.main, ...(options.args ?? [])], {
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} did not start within ${START_TIMEOUT_MS} ms:\n${output.join('')}`));
      }, START_TIMEOUT_MS);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}:\n${output.join('')}`));
      };
      const onData = (): void => {
        const match = listening.exec(output.join(''));
        if (match === null) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        child.stdout?.off('data', onData);
        resolve(new ServerProcess(name, child, match[1]!, output));
      };
      child.stdout?.on('data', onData);
      child.once('exit', onExit);
    });
  }

  /** A conformance server (`node dist/main.js --port 0 --backplane … --backplane-prefix …`). */
  static conformance(backplane: string, prefix: string): Promise<ServerProcess> {
    return ServerProcess.start({ main: CONFORMANCE_MAIN, args: ['--port', '0', '--backplane', backplane, '--backplane-prefix', prefix] });
  }

  /** SIGKILL: the process dies at once, its sockets reset, nothing is closed gracefully. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a graceful close), SIGKILL if it takes longer than `killAfterMs`; resolves with the exit code. */
  async stop(killAfterMs = 10_000): Promise<number | null> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return this.exited;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), killAfterMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
