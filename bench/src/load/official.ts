/**
 * A few official `@microsoft/signalr` clients beside the light ones: proof that the cluster is a real
 * SignalR endpoint, and the sender of the broadcast (`BroadcastAll` through the hub).
 */
import * as signalR from '@microsoft/signalr';
import { nowMs } from './messages.js';

export class OfficialClients {
  readonly #connections: signalR.HubConnection[] = [];
  /** Per client, the id of the last broadcast it received and its delay. */
  readonly #last: Array<{ id: number; delayMs: number; copies: number }> = [];

  /** `count` clients, round-robin over `ports`, each `start()`ed (skipNegotiation, WebSockets, JSON). */
  static async connect(ports: readonly number[], path: string, count: number): Promise<OfficialClients> {
    const clients = new OfficialClients();
    for (let index = 0; index < count; index++) {
      const connection = new signalR.HubConnectionBuilder()
        .withUrl(`http://127.0.0.1:${ports[index % ports.length]}${path}`, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
        .configureLogging(signalR.LogLevel.None)
        .build();
      const last = { id: -1, delayMs: 0, copies: 0 };
      connection.on('Message', (id: number, sentAt: number) => {
        if (last.id === id) return void last.copies++;
        Object.assign(last, { id, delayMs: nowMs() - sentAt, copies: 1 });
      });
      await connection.start();
      clients.#connections.push(connection);
      clients.#last.push(last);
    }
    return clients;
  }

  get count(): number {
    return this.#connections.length;
  }

  /** Sends broadcast `id`, stamped now, from the first client; resolves when the server has sent it. */
  broadcast(id: number): Promise<void> {
    return this.#connections[0]!.invoke('BroadcastAll', id, nowMs());
  }

  /** Delays of the clients that received broadcast `id`, and copies beyond the first. */
  receipts(id: number): { delaysMs: number[]; duplicates: number } {
    const got = this.#last.filter((last) => last.id === id);
    return { delaysMs: got.map((last) => last.delayMs), duplicates: got.reduce((sum, last) => sum + last.copies - 1, 0) };
  }

  /** Every client still connected. */
  get allConnected(): boolean {
    return this.#connections.every((connection) => connection.state === signalR.HubConnectionState.Connected);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#connections.map((connection) => connection.stop()));
  }
}
