import { setTimeout as delay } from 'node:timers/promises';
import {
  MessageType,
  parseHandshakeResponse,
  writeHandshakeRequest,
  type CompletionMessage,
  type HandshakeResponse,
  type HubMessage,
  type HubProtocol,
} from '@switchyard/protocol';
import type { FakeConnection } from './fake-connection.js';

interface Waiter {
  readonly predicate: (message: HubMessage) => boolean;
  readonly resolve: (message: HubMessage) => void;
}

/** Plays the client side of a hub connection over a {@link FakeConnection}, decoding what the server sends. */
export class TestClient {
  readonly connection: FakeConnection;
  readonly protocol: HubProtocol;
  readonly received: HubMessage[] = [];
  handshakeResponse: HandshakeResponse | undefined;
  #buffer: Uint8Array | undefined;
  #waiters: Waiter[] = [];
  #handshakeWaiters: Array<(response: HandshakeResponse) => void> = [];
  #nextId = 0;

  constructor(connection: FakeConnection, protocol: HubProtocol) {
    this.connection = connection;
    this.protocol = protocol;
    connection.onSend = (payload) => this.#onSend(payload);
  }

  get connectionId(): string {
    return this.connection.connectionId;
  }

  /** Sends the handshake request and waits for the answer. */
  async handshake(protocolName = this.protocol.name, version = 1): Promise<HandshakeResponse> {
    const answered = new Promise<HandshakeResponse>((resolve) => this.#handshakeWaiters.push(resolve));
    this.connection.receive(writeHandshakeRequest({ protocol: protocolName, version }));
    return await withTimeout(answered, 'handshake response');
  }

  send(message: HubMessage): void {
    this.connection.receive(this.protocol.writeMessage(message));
  }

  /** A blocking invocation: resolves with its Completion. */
  invoke(target: string, ...args: unknown[]): Promise<CompletionMessage> {
    const invocationId = this.newId();
    this.send({ type: MessageType.Invocation, invocationId, target, arguments: args });
    return this.completion(invocationId);
  }

  /** A non-blocking invocation (no id: the server answers nothing). */
  sendInvocation(target: string, ...args: unknown[]): void {
    this.send({ type: MessageType.Invocation, target, arguments: args });
  }

  /** Starts a server-to-client stream; returns its id. */
  stream(target: string, ...args: unknown[]): string {
    const invocationId = this.newId();
    this.send({ type: MessageType.StreamInvocation, invocationId, target, arguments: args });
    return invocationId;
  }

  newId(): string {
    return String(this.#nextId++);
  }

  completion(invocationId: string): Promise<CompletionMessage> {
    return this.waitFor(
      (m) => m.type === MessageType.Completion && m.invocationId === invocationId,
      `Completion ${invocationId}`,
    ) as Promise<CompletionMessage>;
  }

  /** The first message (already received or still to come) that matches. */
  waitFor(predicate: (message: HubMessage) => boolean, what = 'message'): Promise<HubMessage> {
    const found = this.received.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return withTimeout(new Promise<HubMessage>((resolve) => this.#waiters.push({ predicate, resolve })), what);
  }

  /** StreamItems received for `invocationId`, in order. */
  itemsOf(invocationId: string): unknown[] {
    return this.received.filter((m) => m.type === MessageType.StreamItem && m.invocationId === invocationId).map((m) => (m as { item: unknown }).item);
  }

  ofType<T extends HubMessage['type']>(type: T): Extract<HubMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<HubMessage, { type: T }> => m.type === type);
  }

  #onSend(payload: Uint8Array): void {
    let input = payload;
    if (this.#buffer !== undefined) {
      input = new Uint8Array(this.#buffer.length + payload.length);
      input.set(this.#buffer);
      input.set(payload, this.#buffer.length);
      this.#buffer = undefined;
    }
    if (this.handshakeResponse === undefined) {
      const parsed = parseHandshakeResponse(input);
      if (parsed === undefined) {
        this.#buffer = input;
        return;
      }
      this.handshakeResponse = parsed.response;
      for (const resolve of this.#handshakeWaiters.splice(0)) resolve(parsed.response);
      input = parsed.rest;
      if (input.length === 0) return;
    }
    const { messages, rest } = this.protocol.parseMessages(input);
    if (rest.length > 0) this.#buffer = rest;
    for (const message of messages) {
      this.received.push(message);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (!waiter.predicate(message)) return true;
        waiter.resolve(message);
        return false;
      });
    }
  }
}

/** Resolves once `condition()` holds, polling; the generous limit only turns a hang into a named failure. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** Rejects after a generous timeout so a broken test fails with a name instead of hanging. */
export async function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
