import type { Backplane, Channel, Unsubscribe } from '../scaleout/backplane.js';

/** A channel as text, for assertions: `group:g`, `user:u`, `all`, … */
export function describeChannel(channel: Channel): string {
  switch (channel.kind) {
    case 'all':
    case 'groupCommands':
      return channel.kind;
    case 'group':
      return `group:${channel.group}`;
    case 'user':
      return `user:${channel.userId}`;
    case 'connection':
      return `connection:${channel.connectionId}`;
    case 'ack':
    case 'return':
      return `${channel.kind}:${channel.serverId}`;
  }
}

/** Wraps a backplane and records which channels are subscribed right now and what was published. */
export class RecordingBackplane implements Backplane {
  readonly inner: Backplane;
  /** Channel text → number of live subscriptions. */
  readonly active = new Map<string, number>();
  /** Every channel ever subscribed, in order. */
  readonly subscribed: string[] = [];
  readonly published: string[] = [];

  constructor(inner: Backplane) {
    this.inner = inner;
  }

  get serverId(): string {
    return this.inner.serverId;
  }

  /** Live subscriptions whose channel text starts with `prefix`. */
  activeWith(prefix: string): string[] {
    return [...this.active.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  publish(channel: Channel, payload: Uint8Array): Promise<void> {
    this.published.push(describeChannel(channel));
    return this.inner.publish(channel, payload);
  }

  async subscribe(channel: Channel, onPayload: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    const key = describeChannel(channel);
    this.subscribed.push(key);
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    const unsubscribe = await this.inner.subscribe(channel, onPayload);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const count = (this.active.get(key) ?? 1) - 1;
      if (count === 0) this.active.delete(key);
      else this.active.set(key, count);
      await unsubscribe();
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
