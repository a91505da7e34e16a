/**
 * A child process (a server under test or a load generator) driven over IPC: `request(type, body)`
 * resolves with the child's answer. Children serve requests with `serveRequests` (agent-child.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

export class Agent {
  readonly name: string;
  /** What the child announced when ready (a server's port, say). */
  readonly info: Readonly<Record<string, unknown>>;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #exited = false;

  private constructor(name: string, child: ChildProcess, info: Record<string, unknown>) {
    this.name = name;
    this.#child = child;
    this.info = info;
    child.on('message', (message: Reply) => {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
    });
    child.once('exit', (code, signal) => {
      this.#exited = true;
      for (const { reject } of this.#pending.values()) reject(new Error(`${name} exited (${code ?? signal})`));
      this.#pending.clear();
    });
  }

  /** Forks `dist/<script>.js` (relative to this package's dist) and waits for its ready message. */
  static start(script: string, args: readonly string[], options: { execArgv?: readonly string[]; name?: string } = {}): Promise<Agent> {
    const path = fileURLToPath(new URL(`../${script}.js`, import.meta.url));
    const child = fork(path, [...args], { execArgv: [...(options.execArgv ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const name = options.name ?? script;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} not ready after 30 s`));
      }, 30_000);
      child.once('message', (message: { ready?: Record<string, unknown> }) => {
        clearTimeout(timer);
        if (message.ready !== undefined) resolve(new Agent(name, child, message.ready));
        else reject(new Error(`${name}: unexpected first message ${JSON.stringify(message)}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready`));
      });
    });
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** Sends a request; rejects when the child fails it, exits, or does not answer within `timeoutMs`. */
  request<T>(type: string, body: Record<string, unknown> = {}, timeoutMs = 600_000): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: no answer to '${type}' within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const settle = <A extends unknown[]>(action: (...args: A) => void) => (...args: A): void => {
        clearTimeout(timer);
        action(...args);
      };
      this.#pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject) });
      this.#child.send({ id, type, body });
    });
  }

  /** Asks the child to exit; kills it after 5 s. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    this.#child.send({ id: 0, type: 'exit', body: {} });
    await exited;
    clearTimeout(timer);
  }
}
