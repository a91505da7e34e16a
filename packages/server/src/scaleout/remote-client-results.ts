import { MessageType, type CompletionMessage, type HubProtocol } from '@switchyard/protocol';
import { HubError, HubErrorCode } from '../errors.js';
import { connectionDisconnected, connectionNotFound } from '../error-messages.js';
import { disconnectedError, type ClientResultTracker } from '../lifetime/client-result-tracker.js';
import type { HubConnectionContext } from '../lifetime/hub-lifetime-manager.js';
import { SerializedMessage } from '../lifetime/serialized-message.js';
import type { AckTracker } from './ack-tracker.js';
import type { Channel } from './backplane.js';
import type { BackplaneLink } from './backplane-link.js';
import { decodeCompletionEnvelope, encodeAck, encodeCompletionEnvelope, encodeMessageEnvelope } from './envelopes.js';
import { RemoteInvocations } from './remote-invocations.js';

/**
 * Client results across servers (signalr-wire.md §5.4). The asking server publishes the Invocation,
 * pre-encoded per protocol, on the connection's channel; the owning server acknowledges receipt
 * (no ack within the ack timeout: no server holds the connection), asks its client, and publishes
 * the client's Completion, in the client's protocol, on the asking server's `return` channel.
 */
export class RemoteClientResults {
  readonly #link: BackplaneLink;
  readonly #results: ClientResultTracker;
  readonly #acks: AckTracker;
  readonly #protocols: readonly HubProtocol[];
  /** Invocations other servers sent to this server's connections. */
  readonly #owed = new RemoteInvocations();

  constructor(link: BackplaneLink, results: ClientResultTracker, acks: AckTracker, protocols: readonly HubProtocol[]) {
    this.#link = link;
    this.#results = results;
    this.#acks = acks;
    this.#protocols = protocols;
  }

  /** Asking side: invokes `target` on a connection held by another server. */
  async invoke(connectionId: string, target: string, args: readonly unknown[]): Promise<unknown> {
    const invocationId = this.#results.nextInvocationId();
    const result = this.#results.add(connectionId, invocationId);
    const { id: ackId, acked } = this.#acks.create(() => {
      this.#link.monitor.ackTimedOut();
      return new HubError(HubErrorCode.ConnectionNotFound, connectionNotFound(connectionId), 'IOException');
    });
    // Every failure (no owner, broker down, unencodable arguments) goes through the ack.
    acked.catch((error: Error) => this.#results.fail(invocationId, error));
    const done = (): void => this.#acks.cancel(ackId);
    result.then(done, done);
    let payload: Uint8Array;
    try {
      const serialized = new SerializedMessage({ type: MessageType.Invocation, invocationId, target, arguments: args });
      const encodings = this.#protocols.map((protocol) => [protocol.name, serialized.bytesFor(protocol)] as const);
      payload = encodeMessageEnvelope({ excluded: [], encodings, origin: this.#link.serverId, invocationId, ackId });
    } catch (error) {
      this.#acks.fail(ackId, error instanceof Error ? error : new Error(String(error)));
      return result;
    }
    const channel: Channel = { kind: 'connection', hub: this.#link.hub, connectionId };
    await this.#link.publishOrFail(channel, payload, connectionId).catch((error: Error) => this.#acks.fail(ackId, error));
    return result;
  }

  /** Owning side: confirms receipt, remembers where the answer goes, then asks the client. */
  receive(connection: HubConnectionContext, invocationId: string, ackId: number | undefined, origin: string, message: SerializedMessage): void {
    if (ackId !== undefined) void this.#link.publish({ kind: 'ack', hub: this.#link.hub, serverId: origin }, encodeAck(ackId));
    if (connection.signal.aborted) {
      this.#answerDisconnected(connection, invocationId, origin);
      return;
    }
    const { connectionId } = connection;
    this.#owed.add(invocationId, connectionId, origin);
    let sent: boolean;
    try {
      sent = connection.sendSerialized(message);
    } catch {
      this.#link.monitor.undeliverable(1, { hub: this.#link.hub, channel: 'connection' });
      sent = false;
    }
    if (!sent && this.#owed.take(invocationId, connectionId) !== undefined) this.#answerDisconnected(connection, invocationId, origin);
  }

  /** Owning side: a Completion from a local connection; true when another server was waiting for it. */
  forward(connectionId: string, connection: HubConnectionContext | undefined, completion: CompletionMessage): boolean {
    const call = this.#owed.take(completion.invocationId, connectionId);
    if (call === undefined) return false;
    const protocol = connection?.protocol ?? this.#protocols[0]!;
    const payload = encodeCompletionEnvelope({ protocol: protocol.name, completion: protocol.writeMessage(completion), disconnected: false });
    void this.#link.publish({ kind: 'return', hub: this.#link.hub, serverId: call.origin }, payload);
    return true;
  }

  /** Owning side: the connection ended; every server still waiting on it hears so. */
  connectionEnded(connection: HubConnectionContext): void {
    for (const [invocationId, call] of this.#owed.takeAll(connection.connectionId)) this.#answerDisconnected(connection, invocationId, call.origin);
  }

  /** Asking side: a Completion came back on this server's `return` channel. */
  receiveCompletion(payload: Uint8Array): void {
    const channel: Channel = { kind: 'return', hub: this.#link.hub, serverId: this.#link.serverId };
    const envelope = this.#link.read(payload, channel, decodeCompletionEnvelope);
    if (envelope === undefined) return;
    let completion: CompletionMessage;
    try {
      const protocol = this.#protocols.find((candidate) => candidate.name === envelope.protocol);
      if (protocol === undefined) throw new Error(`Unknown protocol '${envelope.protocol}'`);
      const [message] = protocol.parseMessages(envelope.completion).messages;
      if (message?.type !== MessageType.Completion) throw new Error('Expected a Completion message');
      completion = message;
    } catch (error) {
      this.#link.monitor.invalidPayload(error, { hub: this.#link.hub, channel: channel.kind });
      return;
    }
    const connectionId = this.#results.connectionOf(completion.invocationId);
    if (connectionId === undefined) return; // timed out or cancelled meanwhile
    if (envelope.disconnected) this.#results.fail(completion.invocationId, disconnectedError(connectionId));
    else this.#results.complete(connectionId, completion);
  }

  #answerDisconnected(connection: HubConnectionContext, invocationId: string, origin: string): void {
    const completion: CompletionMessage = { type: MessageType.Completion, invocationId, error: connectionDisconnected(connection.connectionId) };
    const bytes = connection.protocol.writeMessage(completion);
    const payload = encodeCompletionEnvelope({ protocol: connection.protocol.name, completion: bytes, disconnected: true });
    void this.#link.publish({ kind: 'return', hub: this.#link.hub, serverId: origin }, payload);
  }
}
