/**
 * The contract the end-to-end tests share between their server (a Switchyard hub) and our client:
 * the typed path end to end, exactly as an application would write it.
 */
import { Hub, HubException, type HubClass } from '@switchyard/server';

export interface TestContract {
  server: {
    echo(value: string): string;
    add(a: number, b: number): number;
    fail(message: string): void;
    /** Sends `notified(text)` to the caller, then returns. */
    notify(text: string): Promise<void>;
    counter(count: number, delayMs: number): AsyncIterable<number>;
    sum(numbers: AsyncIterable<number>): Promise<number>;
    /** Asks the caller's `answer` handler (a client result) and returns what it said. */
    ask(question: string): Promise<string>;
    whoAmI(): string | null;
    transport(): string;
    connectionId(): string;
    /** Ends the connection from the server without allowing a reconnect (`context.abort()`). */
    leave(): void;
  };
  client: {
    notified(text: string): void;
    answer(question: string): string;
  };
}

type TestServerMethods = TestContract['server'];

/** What the hub saw, for tests to assert on the server side. */
export class HubRecorder {
  /** Connection ids of streams whose generator ended because the client cancelled. */
  readonly cancelledStreams: string[] = [];
  readonly disconnected: string[] = [];
  #waiters: Array<() => void> = [];

  changed(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once `predicate` holds (checked after every recorded change). */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

/** The hub, bound to a recorder. Its methods implement the contract's server half (checked by `implements`). */
export function createTestHub(recorder: HubRecorder): HubClass {
  return class TestHub extends Hub<TestContract['client']> implements TestServerMethods {
    echo(value: string): string {
      return value;
    }

    add(a: number, b: number): number {
      return a + b;
    }

    fail(message: string): never {
      throw new HubException(message);
    }

    async notify(text: string): Promise<void> {
      await this.clients.caller.send('notified', text);
    }

    async *counter(count: number, delayMs: number): AsyncGenerator<number> {
      let completed = false;
      try {
        for (let i = 0; i < count; i++) {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          if (this.signal.aborted) return;
          yield i;
        }
        completed = true;
      } finally {
        if (!completed) {
          recorder.cancelledStreams.push(this.context.connectionId);
          recorder.changed();
        }
      }
    }

    async sum(numbers: AsyncIterable<number>): Promise<number> {
      let total = 0;
      for await (const n of numbers) total += n;
      return total;
    }

    async ask(question: string): Promise<string> {
      return await this.clients.caller.invoke<string>('answer', question);
    }

    whoAmI(): string | null {
      return this.context.userId ?? null;
    }

    transport(): string {
      return this.context.transport;
    }

    connectionId(): string {
      return this.context.connectionId;
    }

    leave(): void {
      this.context.abort();
    }

    override onDisconnected(): void {
      recorder.disconnected.push(this.context.connectionId);
      recorder.changed();
    }
  };
}
