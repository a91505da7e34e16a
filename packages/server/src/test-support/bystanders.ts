/**
 * Well-behaved official clients, one per transport × protocol, that share a server with a misbehaving
 * connection: after every bad input each must still get its own echo back, and none may have closed.
 */
import assert from 'node:assert/strict';
import type * as signalR from '@microsoft/signalr';
import { officialClient, transportMatrix, type ClientOptions } from './e2e.js';
import { withTimeout } from './test-client.js';

interface Bystander {
  readonly name: string;
  readonly connection: signalR.HubConnection;
  /** `null` while open; what onclose reported once closed. */
  closed: Error | undefined | null;
}

export class Bystanders {
  readonly #connections: readonly Bystander[];

  private constructor(connections: readonly Bystander[]) {
    this.#connections = connections;
  }

  /** Starts one client per transport × protocol on the hub at `hubUrl` (it needs an `echo` method). */
  static async start(hubUrl: string, options: ClientOptions = {}): Promise<Bystanders> {
    const connections = transportMatrix.map(([transport, protocol]) => {
      const entry: Bystander = { name: `${transport}/${protocol}`, connection: officialClient(hubUrl, transport, protocol, options), closed: null };
      entry.connection.onclose((error) => (entry.closed = error));
      return entry;
    });
    await Promise.all(connections.map((entry) => entry.connection.start()));
    return new Bystanders(connections);
  }

  /** Every bystander is still connected and gets `tag` echoed back. */
  async assertServing(tag: string): Promise<void> {
    await Promise.all(
      this.#connections.map(async ({ name, connection, closed }) => {
        assert.equal(closed, null, `bystander ${name} closed`);
        assert.equal(await withTimeout(connection.invoke('echo', `${tag} ${name}`), `echo from ${name}`), `${tag} ${name}`);
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.#connections.map(({ connection }) => connection.stop()));
  }
}
