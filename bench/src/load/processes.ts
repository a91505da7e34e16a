/** The coordinator's handles on its forked server and load processes (IPC, typed, with timeouts). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromLoader, FromServer, ToLoader, ToServer } from './messages.js';

/** A forked child speaking `TIn`/`TOut` messages with a `type`. */
class Child<TIn extends { type: string }, TOut extends { type: string }> {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(script: string, args: readonly string[], execArgv: readonly string[]) {
    this.process = fork(fileURLToPath(new URL(`./${script}.js`, import.meta.url)), args, {
      execArgv: [...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve(code ?? (signal === null ? null : -1))));
  }

  send(message: TIn): void {
    this.process.send(message);
  }

  /** The next message of `type`, or rejects after `timeoutMs` or when the child exits first. */
  next<K extends TOut['type']>(type: K, timeoutMs = 60_000): Promise<Extract<TOut, { type: K }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: TOut): void => {
        if (message.type !== type) return;
        done();
        resolve(message as Extract<TOut, { type: K }>);
      };
      const onExit = (code: number | null): void => {
        done();
        reject(new Error(`child ${this.process.pid} exited (${code}) while waiting for '${type}'`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`child ${this.process.pid}: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.process.off('message', onMessage);
        this.process.off('exit', onExit);
      };
      this.process.on('message', onMessage);
      this.process.once('exit', onExit);
    });
  }

  on<K extends TOut['type']>(type: K, listener: (message: Extract<TOut, { type: K }>) => void): void {
    this.process.on('message', (message: TOut) => {
      if (message.type === type) listener(message as Extract<TOut, { type: K }>);
    });
  }

  /** Waits for exit; SIGKILL after `timeoutMs`. Resolves the exit code (-1: killed). */
  async waitExit(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        this.process.kill('SIGKILL');
        resolve(-1);
      }, timeoutMs);
    });
    const code = await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return code;
  }
}

export class ServerProcess extends Child<ToServer, FromServer> {
  port = 0;

  static async start(backplane: string, prefix: string, backlog: number): Promise<ServerProcess> {
    const server = new ServerProcess('server', ['--backplane', backplane, '--prefix', prefix, '--backlog', String(backlog)], ['--expose-gc']);
    server.port = (await server.next('listening', 30_000)).port;
    return server;
  }
}

export class LoadProcess extends Child<ToLoader, FromLoader> {
  static start(): LoadProcess {
    return new LoadProcess('worker', [], []);
  }
}
