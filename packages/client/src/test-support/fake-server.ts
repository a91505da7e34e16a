/**
 * Doubles of the platform seams (`fetch` and a WebSocket class, both passed through public options),
 * scripted by the test: it answers negotiate, opens, feeds and drops sockets, and reads what the client
 * sent. Used where a real server cannot be made to misbehave on cue (stateful-reconnect edge cases).
 */
import { JsonHubProtocol, type HubMessage } from '@switchyard/protocol';
import type { FetchFunction } from '../http-client.js';
import type { WebSocketConstructor, WebSocketLike } from '../transports/websocket.js';

type Handler = ((event: unknown) => void) | null;
const protocol = new JsonHubProtocol();
const decoder = new TextDecoder();

export class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;
  /** Everything the client sent, as text. */
  readonly sent: string[] = [];
  #sentWaiters: Array<() => void> = [];

  constructor(
    readonly url: string,
    readonly headers: Record<string, string> | undefined,
  ) {}

  send(data: Uint8Array): void {
    this.sent.push(typeof data === 'string' ? data : decoder.decode(data));
    const waiters = this.#sentWaiters;
    this.#sentWaiters = [];
    for (const wake of waiters) wake();
  }

  close(code?: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code: code ?? 1005, reason: '', wasClean: true }));
  }

  /** The server accepts the socket. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** The server sends text. */
  receive(text: string): void {
    this.onmessage?.({ data: text });
  }

  /** The network drops the socket (no close handshake). */
  drop(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '', wasClean: false });
  }

  /** Hub messages the client sent (records that parse as hub messages; the handshake is skipped). */
  messages(): HubMessage[] {
    return this.sent.flatMap((text) => (text.includes('"protocol"') ? [] : protocol.parseMessages(text).messages));
  }

  /** Resolves once the client has sent `count` chunks in total. */
  async sentCount(count: number): Promise<void> {
    while (this.sent.length < count) await new Promise<void>((resolve) => this.#sentWaiters.push(resolve));
  }

  /** Resolves once the client sent hub messages matching `predicate`, `count` of them. */
  async sentMessages<T extends HubMessage>(predicate: (message: HubMessage) => message is T, count = 1): Promise<T[]> {
    for (;;) {
      const matching = this.messages().filter(predicate);
      if (matching.length >= count) return matching;
      await new Promise<void>((resolve) => this.#sentWaiters.push(resolve));
    }
  }
}

export interface FakeServer {
  readonly fetch: FetchFunction;
  readonly WebSocket: WebSocketConstructor;
  readonly sockets: FakeSocket[];
  readonly negotiateUrls: string[];
  /** The next socket the client opens (already opened ones count). */
  socket(index: number): Promise<FakeSocket>;
}

export interface FakeServerOptions {
  /** Grant stateful reconnect in negotiate. @default true */
  readonly statefulReconnect?: boolean;
}

export function createFakeServer(options: FakeServerOptions = {}): FakeServer {
  const sockets: FakeSocket[] = [];
  const negotiateUrls: string[] = [];
  let socketWaiters: Array<() => void> = [];
  let negotiations = 0;
  const fetch: FetchFunction = (input) => {
    negotiateUrls.push(input);
    negotiations++;
    const body = JSON.stringify({
      ...(options.statefulReconnect === false ? {} : { useStatefulReconnect: true }),
      negotiateVersion: 1,
      connectionId: `connection-${negotiations}`,
      connectionToken: `token-${negotiations}`,
      availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
    });
    return Promise.resolve(new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }));
  };
  class Socket extends FakeSocket {
    constructor(url: string, _protocols?: string | string[], init?: { headers?: Record<string, string> }) {
      super(url, init?.headers);
      sockets.push(this);
      const waiters = socketWaiters;
      socketWaiters = [];
      for (const wake of waiters) wake();
    }
  }
  return {
    fetch,
    WebSocket: Socket,
    sockets,
    negotiateUrls,
    async socket(index) {
      while (sockets.length <= index) await new Promise<void>((resolve) => socketWaiters.push(resolve));
      return sockets[index]!;
    },
  };
}
