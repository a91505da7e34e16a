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
    /** Records `n` for this connection, in arrival order, and answers the caller with `tick(n)`. */
    record(n: number): Promise<void>;
    /** What `record` saw from this connection, in order. */
    recorded(): number[];
    remember(value: string): void;
    recall(): string | null;
    join(group: string): Promise<void>;
    toGroup(group: string, text: string): Promise<void>;
  };
  client: {
    notified(text: string): void;
    answer(question: string): string;
    tick(n: number): void;
  };
}

type TestServerMethods = TestContract['server'];

/** What the hub saw, for tests to assert on the server side. */
export class HubRecorder {
  /** Connection ids of streams whose generator ended because the client cancelled. */
  readonly cancelledStreams: string[] = [];
  readonly disconnected: string[] = [];
  /** What `record` received, per connection id. */
  readonly records = new Map<string, number[]>();
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

    async record(n: number): Promise<void> {
      const id = this.context.connectionId;
      const list = recorder.records.get(id) ?? [];
      recorder.records.set(id, list);
      list.push(n);
      await this.clients.caller.send('tick', n);
    }

    recorded(): number[] {
      return recorder.records.get(this.context.connectionId) ?? [];
    }

    remember(value: string): void {
      this.context.items.set('remembered', value);
    }

    recall(): string | null {
      const value = this.context.items.get('remembered');
      return typeof value === 'string' ? value : null;
    }

    async join(group: string): Promise<void> {
      await this.groups.add(this.context.connectionId, group);
    }

    async toGroup(group: string, text: string): Promise<void> {
      await this.clients.group(group).send('notified', text);
    }

    override onDisconnected(): void {
      recorder.disconnected.push(this.context.connectionId);
      recorder.changed();
    }
  };
}
