import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A benchmark server in its own process, so servers and clients do not share an event loop. */
export class ChildServer {
  readonly port: number;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.port = port;
  }

  /** Runs `servers/<script>.js` with `args`; resolves when it prints `LISTENING <port>`. */
  static start(script: string, args: readonly string[]): Promise<ChildServer> {
    const path = fileURLToPath(new URL(`../servers/${script}.js`, import.meta.url));
    const child = spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /LISTENING (\d+)/.exec(output);
        if (match !== null) resolve(new ChildServer(child, Number(match[1])));
      });
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    await exited;
  }
}
