import { HubException } from '../errors.js';
import { Hub } from '../hub.js';

class InvalidOperationException extends Error {}

/** The hub the end-to-end tests drive with the official client. */
export class E2EHub extends Hub {
  echo(message: unknown): unknown {
    return message;
  }
  throwException(message: string): never {
    throw new InvalidOperationException(message);
  }
  throwHubException(message: string): never {
    throw new HubException(message);
  }
  async *counter(count: number): AsyncGenerator<number> {
    for (let i = 0; i < count; i++) {
      await Promise.resolve();
      yield i;
    }
  }
  async *bulk(count: number, size: number): AsyncGenerator<string> {
    const text = 'x'.repeat(size);
    for (let i = 0; i < count; i++) {
      await Promise.resolve();
      yield text;
    }
  }
  async *infinite(): AsyncGenerator<number> {
    try {
      for (let i = 0; !this.signal.aborted; i++) {
        yield i;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      await this.clients.caller.send('StreamCanceled');
    }
  }
  async streamingConcat(parts: AsyncIterable<string>): Promise<string> {
    let text = '';
    for await (const part of parts) text += part;
    return text;
  }
  async getNumberFromClient(): Promise<unknown> {
    return await this.clients.caller.invoke('GetNumber');
  }
  async joinGroup(group: string): Promise<void> {
    await this.groups.add(this.context.connectionId, group);
  }
  async sendToGroup(group: string, message: string): Promise<void> {
    await this.clients.group(group).send('Message', message);
  }
  whoAmI(): string | null {
    return this.context.userId ?? null;
  }
  transport(): string {
    return this.context.transport;
  }
}
