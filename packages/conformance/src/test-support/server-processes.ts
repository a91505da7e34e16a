import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** A conformance server in its own process (`node dist/main.js --port 0 --backplane …`). */
export class ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly #child: ChildProcess;
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess, url: string) {
    this.#child = child;
    this.url = url;
    this.port = Number(new URL(url).port);
    this.exited = child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts one and resolves once it prints the URL it listens on. */
  static start(backplane: string, prefix: string): Promise<ServerProcess> {
    const args = [MAIN, '--port', '0', '--backplane', backplane, '--backplane-prefix', prefix];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the server did not start within 15 s:\n${output}`));
      }, 15_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /Now listening on: (http:\/\/\S+)/.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(new ServerProcess(child, match[1]!));
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with ${code}:\n${output}`));
      });
    });
  }

  /** SIGKILL: the process dies at once, its sockets reset, nothing is closed gracefully. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: graceful close; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    return this.exited;
  }
}
