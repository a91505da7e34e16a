/**
 * The moving parts of the chaos test: server processes (killable, restartable on their port),
 * receivers (official client, automatic and stateful reconnect, in group `chaos`, user = name) that
 * log every delivery with its arrival time, and senders that send numbered messages in a rotation of
 * targets (all, the group, each receiver's user) and log when each send started and completed.
 */
import { fileURLToPath } from 'node:url';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { ServerProcess } from './server-processes.js';

const SERVER_MAIN = fileURLToPath(new URL('./chaos-server.js', import.meta.url));
export const GROUP = 'chaos';

/** A chaos server process (`chaos-server.js` on `port`, 0 for any), named in the test's diagnostics. */
export function startChaosServer(name: string, redisUrl: string, prefix: string, port = 0): Promise<ServerProcess> {
  return ServerProcess.start({ name: `server ${name}`, main: SERVER_MAIN, args: ['--port', String(port), '--redis', redisUrl, '--prefix', prefix] });
}

export interface Delivery {
  readonly sender: string;
  readonly n: number;
  /** Arrival time (ms since epoch). */
  readonly at: number;
}

/** A time the receiver's connection was lost, and when it was back in its group. */
export interface Drop {
  readonly at: number;
  rejoinedAt: number | undefined;
}

/** Retry every 200 ms until stopped: the site always comes back in this test. */
const retryForever: signalR.IRetryPolicy = { nextRetryDelayInMilliseconds: () => 200 };

export class Receiver {
  readonly name: string;
  readonly deliveries: Delivery[] = [];
  readonly drops: Drop[] = [];
  readonly connection: signalR.HubConnection;
  /** When it first was in the group (and registered as its user): messages sent later are its due. */
  joinedAt = Number.POSITIVE_INFINITY;

  private constructor(name: string, connection: signalR.HubConnection) {
    this.name = name;
    this.connection = connection;
    connection.on('Receive', (message: string) => {
      const [sender, n] = message.split('|');
      this.deliveries.push({ sender: sender!, n: Number(n), at: Date.now() });
    });
    connection.onreconnecting(() => void this.drops.push({ at: Date.now(), rejoinedAt: undefined }));
    // A new connection id: the group is per connection and must be joined again (the user follows).
    connection.onreconnected(() => {
      const drop = this.drops.at(-1);
      void connection.invoke('JoinGroup', GROUP).then(
        () => drop !== undefined && (drop.rejoinedAt = Date.now()),
        () => {},
      );
    });
  }

  /** Connects as user `name` to `baseUrl` and joins the group. */
  static async start(name: string, baseUrl: string, protocol: 'json' | 'messagepack'): Promise<Receiver> {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${baseUrl}/scaleouthub?user=${name}`, { transport: signalR.HttpTransportType.WebSockets })
      .withHubProtocol(protocol === 'json' ? new signalR.JsonHubProtocol() : new MessagePackHubProtocol())
      .withAutomaticReconnect(retryForever)
      .withStatefulReconnect()
      .configureLogging(signalR.LogLevel.None)
      .build();
    const receiver = new Receiver(name, connection);
    await connection.start();
    await connection.invoke('JoinGroup', GROUP);
    receiver.joinedAt = Date.now();
    return receiver;
  }
}

export interface Send {
  readonly sender: string;
  readonly n: number;
  /** `all`, `group`, or the user name a message went to. */
  readonly target: string;
  readonly startedAt: number;
  /** When the hub method's completion arrived; undefined when the send failed (its server died). */
  completedAt: number | undefined;
}

/** Sends `name|n` to each target of `targets` in turn, one at a time, until stopped or its server dies. */
export class Sender {
  readonly name: string;
  readonly sends: Send[] = [];
  readonly #connection: signalR.HubConnection;
  #running = true;
  readonly done: Promise<void>;

  private constructor(name: string, connection: signalR.HubConnection, targets: readonly string[]) {
    this.name = name;
    this.#connection = connection;
    this.done = this.#loop(targets);
  }

  static async start(name: string, baseUrl: string, targets: readonly string[]): Promise<Sender> {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${baseUrl}/scaleouthub?user=${name}`, { transport: signalR.HttpTransportType.WebSockets })
      .configureLogging(signalR.LogLevel.None)
      .build();
    await connection.start();
    return new Sender(name, connection, targets);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.done;
    await this.#connection.stop();
  }

  async #loop(targets: readonly string[]): Promise<void> {
    for (let n = 1; this.#running; n++) {
      const target = targets[(n - 1) % targets.length]!;
      const send: Send = { sender: this.name, n, target, startedAt: Date.now(), completedAt: undefined };
      this.sends.push(send);
      const message = `${this.name}|${n}`;
      try {
        if (target === 'all') await this.#connection.invoke('SendToAll', message);
        else if (target === 'group') await this.#connection.invoke('SendToGroup', GROUP, message);
        else await this.#connection.invoke('SendToUser', target, message);
        send.completedAt = Date.now();
      } catch {
        return; // its server is gone
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
