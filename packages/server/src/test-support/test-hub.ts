// Streaming hub methods must be async generators even when a test's body needs no await.
/* eslint-disable @typescript-eslint/require-await, require-yield */
import { HubException } from '../errors.js';
import { Hub } from '../hub.js';

/** An error class whose name .NET-style detailed errors show, like the functional tests' hub. */
export class InvalidOperationException extends Error {}

/** A promise the test resolves by hand, to hold a hub method open. */
export class Deferred<T = void> {
  resolve!: (value: T) => void;
  reject!: (error: Error) => void;
  readonly promise = new Promise<T>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

/** Shared observation points between tests and the hub (hubs are transient, so state lives here). */
export const probe = {
  gates: new Map<string, Deferred<unknown>>(),
  events: [] as string[],
  disconnectErrors: [] as (Error | undefined)[],
  signals: [] as AbortSignal[],
  reset(): void {
    this.gates.clear();
    this.events.length = 0;
    this.disconnectErrors.length = 0;
    this.signals.length = 0;
  },
  gate(name: string): Deferred<unknown> {
    let gate = this.gates.get(name);
    if (gate === undefined) this.gates.set(name, (gate = new Deferred<unknown>()));
    return gate;
  },
};

export class TestHub extends Hub {
  echo(message: unknown): unknown {
    return message;
  }
  async echoAsync(message: unknown): Promise<unknown> {
    await Promise.resolve();
    return message;
  }
  async nothing(): Promise<void> {}
  add(a: number, b: number): number {
    return a + b;
  }
  throwError(message: string): never {
    throw new InvalidOperationException(message);
  }
  throwHubException(message: string): never {
    throw new HubException(message);
  }
  returnBigInt(): bigint {
    return 1n;
  }
  async wait(name: string): Promise<unknown> {
    probe.events.push(`start:${name}`);
    const value = await probe.gate(name).promise;
    probe.events.push(`end:${name}`);
    return value;
  }
  connectionId(): string {
    return this.context.connectionId;
  }
  async *counter(count: number): AsyncGenerator<number> {
    for (let i = 0; i < count; i++) yield i;
  }
  async *failBeforeFirstItem(message: string): AsyncGenerator<number> {
    throw new InvalidOperationException(message);
  }
  async *failAfterFirstItem(message: string): AsyncGenerator<number> {
    yield 1;
    throw new InvalidOperationException(message);
  }
  async *endless(): AsyncGenerator<number> {
    probe.signals.push(this.signal);
    try {
      for (let i = 0; ; i++) {
        yield i;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      probe.events.push('endless:finally');
    }
  }
  async *gatedStream(name: string): AsyncGenerator<number> {
    probe.signals.push(this.signal);
    yield 1;
    await probe.gate(name).promise;
    yield 2;
  }
  async sum(numbers: AsyncIterable<number>): Promise<number> {
    let total = 0;
    for await (const n of numbers) total += n;
    return total;
  }
  async concat(prefix: string, first: AsyncIterable<string>, second: AsyncIterable<string>): Promise<string> {
    let text = prefix;
    for await (const s of first) text += s;
    for await (const s of second) text += s;
    return text;
  }
  async slowSum(numbers: AsyncIterable<number>): Promise<number> {
    let total = 0;
    await probe.gate('slowSum').promise;
    for await (const n of numbers) total += n;
    return total;
  }
  async ignoreUpload(_numbers: AsyncIterable<number>): Promise<string> {
    return 'ignored';
  }
  async uploadError(numbers: AsyncIterable<number>): Promise<string> {
    try {
      for await (const _ of numbers) {
        // drain
      }
      return 'no error';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  }
  async askCaller(target: string): Promise<unknown> {
    return await this.clients.caller.invoke(target);
  }
  async askClient(connectionId: string): Promise<unknown> {
    return await this.clients.client(connectionId).invoke('GetNumber');
  }
  async askCallerOrError(): Promise<string> {
    try {
      return String(await this.clients.caller.invoke('GetNumber'));
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  }
  _private(): string {
    return 'hidden';
  }
}
