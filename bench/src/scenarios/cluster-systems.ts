/**
 * The systems the cluster benchmark compares, behind one shape: two server processes on a broker, a
 * sender connected to the first, receivers connected to the second.
 */
import { randomUUID } from 'node:crypto';
import * as signalR from '@microsoft/signalr';
import { io, type Socket } from 'socket.io-client';
import { ChildServer } from '../harness/child-server.js';

/** Sends broadcasts through server A. */
export interface Sender {
  broadcast(seq: number, text: string): void;
}

export interface SystemUnderTest {
  readonly name: string;
  /** Starts both servers. */
  start(): Promise<void>;
  connectSender(): Promise<Sender>;
  /** A client of server B; `onMessage` gets every broadcast's sequence number. */
  connectReceiver(onMessage: (seq: number) => void): Promise<void>;
  /** Disconnects every client and stops the servers. */
  stop(): Promise<void>;
}

abstract class TwoServers implements SystemUnderTest {
  abstract readonly name: string;
  protected servers: ChildServer[] = [];
  protected readonly prefix = `bench-${randomUUID().slice(0, 8)}`;
  protected abstract readonly script: string;
  protected abstract serverArgs(): string[];

  async start(): Promise<void> {
    this.servers = await Promise.all([0, 1].map(() => ChildServer.start(this.script, [...this.serverArgs(), '--prefix', this.prefix])));
  }

  protected url(index: number): string {
    return `http://127.0.0.1:${this.servers[index]!.port}`;
  }

  abstract connectSender(): Promise<Sender>;
  abstract connectReceiver(onMessage: (seq: number) => void): Promise<void>;
  protected abstract disconnectAll(): Promise<void>;

  async stop(): Promise<void> {
    await this.disconnectAll();
    await Promise.all(this.servers.map((server) => server.stop()));
  }
}

/** Switchyard servers with a backplane, the official client over WebSockets and JSON. */
export class SwitchyardSystem extends TwoServers {
  readonly name: string;
  protected readonly script = 'cluster-switchyard';
  readonly #backplane: string;
  readonly #connections: signalR.HubConnection[] = [];

  constructor(name: string, backplane: string) {
    super();
    this.name = name;
    this.#backplane = backplane;
  }

  protected serverArgs(): string[] {
    return ['--backplane', this.#backplane];
  }

  async #connect(server: number): Promise<signalR.HubConnection> {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${this.url(server)}/bench`, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
      .configureLogging(signalR.LogLevel.None)
      .build();
    await connection.start();
    this.#connections.push(connection);
    return connection;
  }

  async connectSender(): Promise<Sender> {
    const connection = await this.#connect(0);
    return { broadcast: (seq, text) => void connection.send('Broadcast', seq, text).catch(() => {}) };
  }

  async connectReceiver(onMessage: (seq: number) => void): Promise<void> {
    const connection = await this.#connect(1);
    connection.on('Message', (seq: number) => onMessage(seq));
    await connection.invoke('Ready'); // a round trip: registered, subscriptions in place
  }

  protected async disconnectAll(): Promise<void> {
    await Promise.all(this.#connections.splice(0).map((connection) => connection.stop()));
  }
}

/** Socket.IO servers with @socket.io/redis-adapter, socket.io-client over WebSockets. */
export class SocketIoSystem extends TwoServers {
  readonly name = 'socket.io + redis-adapter';
  protected readonly script = 'cluster-socketio';
  readonly #redis: string;
  readonly #sockets: Socket[] = [];

  constructor(redis: string) {
    super();
    this.#redis = redis;
  }

  protected serverArgs(): string[] {
    return ['--redis', this.#redis];
  }

  async #connect(server: number): Promise<Socket> {
    const socket = io(this.url(server), { transports: ['websocket'], reconnection: false });
    this.#sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  async connectSender(): Promise<Sender> {
    const socket = await this.#connect(0);
    return { broadcast: (seq, text) => void socket.emit('broadcast', seq, text) };
  }

  async connectReceiver(onMessage: (seq: number) => void): Promise<void> {
    const socket = await this.#connect(1);
    socket.on('message', (seq: number) => onMessage(seq));
  }

  protected disconnectAll(): Promise<void> {
    for (const socket of this.#sockets.splice(0)) socket.disconnect();
    return Promise.resolve();
  }
}
