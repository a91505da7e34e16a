import type { Connection, ConnectionListener, ConnectionRequest, Principal, TransportKind } from '@switchyard/connections';
import type { TransferFormat } from '@switchyard/protocol';

let nextId = 0;

export interface FakeConnectionOptions {
  connectionId?: string;
  transport?: TransportKind;
  user?: Principal;
  url?: string;
  statefulReconnect?: boolean;
  maxBufferedBytes?: number;
}

/**
 * The connections layer's `Connection` seam, in memory: records what the server sends, lets a test
 * push inbound bytes, and reports close like the real layer (onClose once, asynchronously).
 */
export class FakeConnection implements Connection {
  readonly connectionId: string;
  readonly transport: TransportKind;
  readonly supportsBinary: boolean;
  readonly request: ConnectionRequest;
  readonly user: Principal | undefined;
  #bufferedAmount = 0;
  #drainWaiters: { thresholdBytes: number; resolve: () => void }[] = [];
  readonly statefulReconnect: boolean;
  #resumable = false;
  readonly maxBufferedBytes: number;
  transferFormat: TransferFormat = 'Text';
  readonly sent: Uint8Array[] = [];
  paused = false;
  /** Stateful reconnect: the transport is lost (see {@link loseTransport}); sends are refused. */
  lost = false;
  pauseCalls = 0;
  closed = false;
  listener: ConnectionListener | undefined;
  /** Called on every send (the test client decodes here). */
  onSend: ((payload: Uint8Array) => void) | undefined;
  readonly #abort = new AbortController();

  constructor(options: FakeConnectionOptions = {}) {
    this.connectionId = options.connectionId ?? `conn-${++nextId}`;
    this.transport = options.transport ?? 'WebSockets';
    this.supportsBinary = this.transport !== 'ServerSentEvents';
    this.user = options.user;
    this.statefulReconnect = options.statefulReconnect ?? false;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
    this.request = {
      method: 'GET',
      url: new URL(options.url ?? '/hub', 'http://localhost'),
      headers: {},
      remoteAddress: '127.0.0.1',
    };
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get resumable(): boolean {
    return this.#resumable;
  }
  /** As the real layer: turning it off while the transport is lost ends the connection with the drop's error. */
  set resumable(on: boolean) {
    this.#resumable = on;
    if (!on && this.lost) this.drop(new Error('The WebSocket closed without completing the close handshake.'));
  }

  /** Set by tests to play a slow client; lowering it resolves the `whenDrained` calls it satisfies. */
  get bufferedAmount(): number {
    return this.#bufferedAmount;
  }
  set bufferedAmount(bytes: number) {
    this.#bufferedAmount = bytes;
    this.#settleDrainWaiters();
  }

  whenDrained(thresholdBytes: number): Promise<void> {
    if (this.closed || this.#bufferedAmount <= thresholdBytes) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push({ thresholdBytes, resolve }));
  }

  #settleDrainWaiters(): void {
    this.#drainWaiters = this.#drainWaiters.filter((waiter) => {
      const done = this.closed || this.#bufferedAmount <= waiter.thresholdBytes;
      if (done) waiter.resolve();
      return !done;
    });
  }

  send(payload: Uint8Array): boolean {
    if (this.closed || this.lost) return false;
    this.sent.push(payload);
    this.onSend?.(payload);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#abort.abort();
    this.#settleDrainWaiters();
    queueMicrotask(() => this.listener?.onClose());
  }

  pause(): void {
    this.paused = true;
    this.pauseCalls++;
  }

  resume(): void {
    this.paused = false;
  }

  /** Inbound bytes from the "client". */
  receive(data: Uint8Array | string): void {
    if (this.closed) throw new Error('receive on a closed fake connection');
    this.listener!.onData(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  /** Stateful reconnect: the WebSocket dropped; a resumable connection stays open (as the real layer). */
  loseTransport(): void {
    if (!this.resumable) {
      this.drop(new Error('The WebSocket closed without completing the close handshake.'));
      return;
    }
    this.lost = true;
    this.listener?.onTransportLost?.(new Error('The WebSocket closed without completing the close handshake.'));
  }

  /** Stateful reconnect: a new WebSocket took over. */
  resumeTransport(): void {
    this.lost = false;
    this.listener?.onTransportResumed?.();
  }

  /** The transport dropped (the client went away without a Close message). */
  drop(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.#abort.abort();
    this.#settleDrainWaiters();
    this.listener?.onClose(error);
  }
}
