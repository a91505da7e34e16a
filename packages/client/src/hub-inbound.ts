/**
 * A hub connection's inbound side: reads the handshake response, then parses hub messages (keeping a
 * record split across transport messages until it is whole) and dispatches each one: client-method
 * invocations (answered with their result), stream items and completions, the server's Close, and
 * stateful reconnect's Ack/Sequence and duplicate filtering.
 */
import { MessageType, isProtocolError, type HubMessage, type HubProtocol } from '@switchyard/protocol';
import type { ClientMethods } from './client-methods.js';
import { ClientError, ClientErrorCode, toError } from './errors.js';
import { PendingHandshake } from './handshake.js';
import type { InvocationTable } from './invocation-table.js';
import type { Logger } from './logger.js';
import type { MessageBuffer } from './message-buffer.js';

/** What the inbound side needs from its {@link HubConnection}. */
export interface HubInboundHost {
  readonly protocol: HubProtocol;
  readonly methods: ClientMethods;
  readonly invocations: InvocationTable;
  readonly logger: Logger;
  /** Stateful reconnect's message buffer, while it is on. */
  buffer(): MessageBuffer | undefined;
  sendHubMessage(message: HubMessage): Promise<void>;
  /** Stops the connection like a lost transport (reconnect may follow). */
  dropConnection(error: Error): void;
  /** The server closed without allowing a reconnect: a final stop. */
  stopFromServer(error: Error): void;
}

const EMPTY = new Uint8Array(0);

export class HubInbound {
  readonly #host: HubInboundHost;
  #handshake = new PendingHandshake();
  #partial: Uint8Array = EMPTY;

  constructor(host: HubInboundHost) {
    this.#host = host;
  }

  /** The handshake of the current connection attempt. */
  get handshake(): PendingHandshake {
    return this.#handshake;
  }

  /** A new connection attempt: its handshake response comes first, and nothing partial survives. */
  restart(): void {
    this.#handshake = new PendingHandshake();
    this.#partial = EMPTY;
  }

  receive(data: string | Uint8Array): void {
    let messages: readonly HubMessage[];
    try {
      messages = this.#parse(data);
    } catch (error) {
      // Bad data from the server is fatal to the connection, not a lost socket: stop (no re-attach).
      // Messages before the bad one are still handled, as .NET does.
      if (isProtocolError(error)) this.#dispatchAll(error.messagesBeforeError);
      this.#host.dropConnection(toError(error));
      return;
    }
    this.#dispatchAll(messages);
    this.#host.buffer()?.received(data.length);
  }

  /** The hub messages in `data`, after the handshake response when that is still due. */
  #parse(data: string | Uint8Array): readonly HubMessage[] {
    let input: string | Uint8Array | undefined = data;
    if (!this.#handshake.done) {
      input = this.#handshake.read(data);
      if (input === undefined) return [];
    }
    if (this.#partial.length > 0) input = concat(this.#partial, typeof input === 'string' ? new TextEncoder().encode(input) : input);
    // Reset first: if the parse throws, the connection is stopping and nothing partial may linger.
    this.#partial = EMPTY;
    const { messages, rest } = this.#host.protocol.parseMessages(input);
    // `rest` may be a view of a buffer the transport reuses: keep a copy.
    if (rest.length > 0) this.#partial = rest.slice();
    return messages;
  }

  #dispatchAll(messages: readonly HubMessage[]): void {
    for (const message of messages) {
      const buffer = this.#host.buffer();
      if (buffer !== undefined && !buffer.shouldProcess(message)) continue;
      this.#dispatch(message);
    }
  }

  #dispatch(message: HubMessage): void {
    const host = this.#host;
    switch (message.type) {
      case MessageType.Invocation:
        void host.methods.invoke(message).then((completion) => {
          if (completion !== undefined) return host.sendHubMessage(completion);
          return undefined;
        }).catch((error: unknown) => host.logger.error(`Sending a client result failed: ${toError(error).message}`));
        return;
      case MessageType.StreamItem:
      case MessageType.Completion:
        host.invocations.dispatch(message);
        return;
      case MessageType.Close: {
        const error = new ClientError(
          ClientErrorCode.ServerClosed,
          message.error === undefined ? 'The server closed the connection.' : `Server returned an error on close: ${message.error}`,
        );
        // allowReconnect: like a lost transport (reconnect may follow); otherwise a final stop.
        if (message.allowReconnect === true) host.dropConnection(error);
        else host.stopFromServer(error);
        return;
      }
      case MessageType.Ack:
        host.buffer()?.ack(message);
        return;
      case MessageType.Sequence:
        host.buffer()?.resetSequence(message);
        return;
      case MessageType.Ping:
        return;
      case MessageType.StreamInvocation:
      case MessageType.CancelInvocation:
        host.logger.warn(`Ignoring message type ${message.type}: servers do not send it.`);
        return;
    }
  }
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(head.length + tail.length);
  joined.set(head);
  joined.set(tail, head.length);
  return joined;
}
