import { randomBytes } from 'node:crypto';
import { MessageType, type CompletionMessage, type HubProtocol, type InvocationMessage } from '@switchyard/protocol';
import { HubError, HubErrorCode } from '../errors.js';
import { connectionDisconnected, connectionNotFound } from '../error-messages.js';
import type { Heartbeat } from '../heartbeat.js';
import { ClientResultTracker } from '../lifetime/client-result-tracker.js';
import type { HubConnectionContext, HubLifetimeManager, SendTarget } from '../lifetime/hub-lifetime-manager.js';
import { SerializedMessage } from '../lifetime/serialized-message.js';
import { silentLogger } from '../logger.js';
import { AckTracker } from './ack-tracker.js';
import type { Backplane, Channel } from './backplane.js';
import { deliverLocal, deliverRemote, exclusion, isExcluded } from './delivery.js';
import {
  GroupAction,
  decodeAck,
  decodeCompletionEnvelope,
  decodeGroupCommand,
  decodeMessageEnvelope,
  encodeAck,
  encodeCompletionEnvelope,
  encodeGroupCommand,
  encodeMessageEnvelope,
  type MessageEnvelope,
} from './envelopes.js';
import { LocalIndex } from './local-index.js';
import { RemoteInvocations } from './remote-invocations.js';
import { ScaleoutMonitor } from './scaleout-monitor.js';
import { SubscriptionSet } from './subscriptions.js';

/** Unanswered publishes above which a send waits for the broker (backpressure). */
const MAX_UNANSWERED_PUBLISHES = 1024;

export interface ScaledHubLifetimeManagerOptions {
  /** Carries messages to the other servers. Not closed by the manager: its creator closes it. */
  readonly backplane: Backplane;
  /** The hub's name on the backplane (a channel prefix): the same on every server. */
  readonly hubName: string;
  /** Every protocol of the app: cross-server messages carry an encoding for each. */
  readonly protocols: readonly HubProtocol[];
  /** The shared heartbeat, for ack and client-result timeouts. */
  readonly heartbeat: Heartbeat;
  /** See `HubOptions.clientResultTimeoutMs`. @default null (wait for the answer or the disconnect) */
  readonly clientResultTimeoutMs?: number | null;
  /**
   * How long a group change or client result for a connection on another server waits for that
   * server's acknowledgement; past it no server holds the connection. @default 30_000 (ms), as .NET
   */
  readonly ackTimeoutMs?: number;
  /** Counters and outage logging, shared by the hubs of an app. @default a silent one */
  readonly monitor?: ScaleoutMonitor;
}

/**
 * A lifetime manager for several servers: connections stay in this server's memory, and whatever
 * targets connections elsewhere travels over a {@link Backplane}.
 *
 * - Sends are delivered to this server's recipients directly and published once for the others
 *   (all: the `all` channel; a group, user or remote connection: its own channel), each message
 *   encoded once per protocol. Receivers skip what they published themselves.
 * - This server subscribes to a group's, user's or connection's channel only while it holds a
 *   member, so it never receives traffic for groups it has no member of.
 * - Group changes and client results for a connection on another server go through that server,
 *   which acknowledges; without an ack within `ackTimeoutMs` they fail.
 * - A broker outage never fails a send: local recipients still get it, the others lose it (counted
 *   and logged by the monitor). See the scale-out section of the README for the exact semantics.
 */
export class ScaledHubLifetimeManager implements HubLifetimeManager {
  readonly #backplane: Backplane;
  readonly #hub: string;
  readonly #serverId: string;
  readonly #protocols: readonly HubProtocol[];
  readonly #monitor: ScaleoutMonitor;
  readonly #ackTimeoutMs: number;
  readonly #index = new LocalIndex();
  readonly #subscriptions: SubscriptionSet;
  readonly #results: ClientResultTracker;
  readonly #acks: AckTracker;
  readonly #remoteCalls = new RemoteInvocations();
  readonly #watched = new WeakSet<HubConnectionContext>();
  readonly #allChannel: Channel;
  readonly #commandsChannel: Channel;
  /** The server-wide subscriptions (all, group commands, acks, returns). */
  readonly #ready: Promise<void>;
  /** Sends handed to the backplane whose publish has not been answered yet. */
  #unanswered = 0;

  constructor(options: ScaledHubLifetimeManagerOptions) {
    this.#backplane = options.backplane;
    this.#hub = options.hubName;
    this.#serverId = options.backplane.serverId;
    this.#protocols = options.protocols;
    this.#monitor = options.monitor ?? new ScaleoutMonitor(silentLogger);
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.#subscriptions = new SubscriptionSet(this.#backplane, this.#monitor, this.#hub);
    // A per-server prefix keeps invocation ids apart on the server owning the connection.
    this.#results = new ClientResultTracker(options.heartbeat, options.clientResultTimeoutMs ?? null, `${randomBytes(6).toString('hex')}.`);
    this.#acks = new AckTracker(options.heartbeat, this.#ackTimeoutMs);
    const hub = this.#hub;
    this.#allChannel = { kind: 'all', hub };
    this.#commandsChannel = { kind: 'groupCommands', hub };
    const all = this.#allChannel;
    this.#ready = Promise.all([
      this.#subscriptions.ensure('all', all, (payload) => this.#receiveMessage(payload, all, () => this.#index.connections.values())),
      this.#subscriptions.ensure('commands', this.#commandsChannel, (payload) => this.#receiveGroupCommand(payload)),
      this.#subscriptions.ensure('ack', { kind: 'ack', hub, serverId: this.#serverId }, (payload) => this.#receiveAck(payload)),
      this.#subscriptions.ensure('return', { kind: 'return', hub, serverId: this.#serverId }, (payload) => this.#receiveCompletion(payload)),
    ]).then(() => undefined);
  }

  async onConnected(connection: HubConnectionContext): Promise<void> {
    // Indexed first, so sends and group changes from this server find it while subscriptions are made.
    this.#index.add(connection);
    await this.#ready;
    const { connectionId, userId } = connection;
    const subscribed = [
      this.#subscriptions.ensure(`c:${connectionId}`, { kind: 'connection', hub: this.#hub, connectionId }, (payload) =>
        this.#receiveForConnection(payload, connectionId),
      ),
    ];
    if (userId !== undefined) {
      const channel: Channel = { kind: 'user', hub: this.#hub, userId };
      subscribed.push(this.#subscriptions.ensure(`u:${userId}`, channel, (payload) => this.#receiveMessage(payload, channel, () => this.#index.users.get(userId))));
    }
    await Promise.all(subscribed);
  }

  onDisconnected(connection: HubConnectionContext): Promise<void> {
    const { connectionId } = connection;
    const departure = this.#index.remove(connection);
    this.#subscriptions.release(`c:${connectionId}`);
    for (const group of departure.emptiedGroups) this.#subscriptions.release(`g:${group}`);
    if (departure.userEmptied) this.#subscriptions.release(`u:${connection.userId!}`);
    for (const [invocationId, call] of this.#remoteCalls.takeAll(connectionId)) this.#answerDisconnected(connection, invocationId, call.origin);
    return Promise.resolve();
  }

  async send(target: SendTarget, message: InvocationMessage, except?: readonly string[]): Promise<void> {
    const excluded = exclusion(except);
    const serialized = new SerializedMessage(message);
    switch (target.kind) {
      case 'connection': {
        const local = this.#index.connections.get(target.connectionId);
        if (local !== undefined) {
          if (!isExcluded(excluded, local.connectionId)) local.sendMessage(message);
        } else if (!isExcluded(excluded, target.connectionId)) {
          await this.#handOver({ kind: 'connection', hub: this.#hub, connectionId: target.connectionId }, this.#envelope(serialized, except));
        }
        return;
      }
      case 'connections': {
        let payload: Uint8Array | undefined;
        const published: Promise<void>[] = [];
        for (const connectionId of target.connectionIds) {
          if (isExcluded(excluded, connectionId)) continue;
          const local = this.#index.connections.get(connectionId);
          if (local !== undefined) local.sendSerialized(serialized);
          else published.push(this.#handOver({ kind: 'connection', hub: this.#hub, connectionId }, (payload ??= this.#envelope(serialized, except))));
        }
        await Promise.all(published);
        return;
      }
      case 'all': {
        // Encoding every protocol first means an unencodable argument fails the send before anyone got it.
        const payload = this.#envelope(serialized, except);
        deliverLocal(this.#index.connections.values(), serialized, excluded);
        await this.#handOver(this.#allChannel, payload);
        return;
      }
      case 'group':
        return this.#sendToChannels(this.#index.groups, [target.group], (group) => ({ kind: 'group', hub: this.#hub, group }), serialized, except);
      case 'groups':
        return this.#sendToChannels(this.#index.groups, target.groups, (group) => ({ kind: 'group', hub: this.#hub, group }), serialized, except);
      case 'user':
        return this.#sendToChannels(this.#index.users, [target.userId], (userId) => ({ kind: 'user', hub: this.#hub, userId }), serialized, except);
      case 'users':
        return this.#sendToChannels(this.#index.users, target.userIds, (userId) => ({ kind: 'user', hub: this.#hub, userId }), serialized, except);
    }
  }

  async invoke(connectionId: string, target: string, args: readonly unknown[]): Promise<unknown> {
    const local = this.#index.connections.get(connectionId);
    if (local !== undefined) return this.#invokeLocal(local, target, args);
    await this.#ready;
    const invocationId = this.#results.nextInvocationId();
    const result = this.#results.add(connectionId, invocationId);
    const { id: ackId, acked } = this.#acks.create(() => {
      this.#monitor.ackTimedOut();
      return new HubError(HubErrorCode.ConnectionNotFound, connectionNotFound(connectionId), 'IOException');
    });
    // Every failure (no owner, broker down, unencodable arguments) goes through the ack.
    acked.catch((error: Error) => this.#results.fail(invocationId, error));
    const done = (): void => this.#acks.cancel(ackId);
    result.then(done, done);
    let payload: Uint8Array;
    try {
      const serialized = new SerializedMessage({ type: MessageType.Invocation, invocationId, target, arguments: args });
      payload = encodeMessageEnvelope({ excluded: [], encodings: this.#encodeAll(serialized), origin: this.#serverId, invocationId, ackId });
    } catch (error) {
      this.#acks.fail(ackId, toError(error));
      return result;
    }
    const channel: Channel = { kind: 'connection', hub: this.#hub, connectionId };
    await this.#publishOrFail(channel, payload, connectionId).catch((error: Error) => this.#acks.fail(ackId, error));
    return result;
  }

  setConnectionResult(connectionId: string, completion: CompletionMessage): boolean {
    if (this.#results.complete(connectionId, completion)) return true;
    const call = this.#remoteCalls.take(completion.invocationId, connectionId);
    if (call === undefined) return false;
    const protocol = this.#index.connections.get(connectionId)?.protocol ?? this.#protocols[0]!;
    const payload = encodeCompletionEnvelope({ protocol: protocol.name, completion: protocol.writeMessage(completion), disconnected: false });
    void this.#publish({ kind: 'return', hub: this.#hub, serverId: call.origin }, payload);
    return true;
  }

  async addToGroup(connectionId: string, group: string): Promise<void> {
    const local = this.#index.connections.get(connectionId);
    if (local !== undefined) return this.#joinLocal(local, group);
    return this.#groupCommand(GroupAction.Add, connectionId, group);
  }

  async removeFromGroup(connectionId: string, group: string): Promise<void> {
    const local = this.#index.connections.get(connectionId);
    if (local !== undefined) return this.#leaveLocal(local, group);
    return this.#groupCommand(GroupAction.Remove, connectionId, group);
  }

  async dispose(): Promise<void> {
    const closed = new HubError(HubErrorCode.Closed, 'The server is shutting down.');
    this.#results.dispose(closed);
    this.#acks.dispose(closed);
    await this.#subscriptions.releaseAll();
  }

  // --- sending ------------------------------------------------------------------------------------

  async #sendToChannels(
    index: ReadonlyMap<string, ReadonlySet<HubConnectionContext>>,
    keys: readonly string[],
    channelOf: (key: string) => Channel,
    serialized: SerializedMessage,
    except: readonly string[] | undefined,
  ): Promise<void> {
    if (keys.length === 0) return;
    const payload = this.#envelope(serialized, except);
    const excluded = exclusion(except);
    // Like .NET, a connection in two of the named groups gets the message twice.
    for (const key of keys) {
      const members = index.get(key);
      if (members !== undefined) deliverLocal(members, serialized, excluded);
    }
    await Promise.all(keys.map((key) => this.#handOver(channelOf(key), payload)));
  }

  #encodeAll(serialized: SerializedMessage): Array<readonly [string, Uint8Array]> {
    return this.#protocols.map((protocol) => [protocol.name, serialized.bytesFor(protocol)] as const);
  }

  #envelope(serialized: SerializedMessage, except: readonly string[] | undefined): Uint8Array {
    return encodeMessageEnvelope({ excluded: except ?? [], encodings: this.#encodeAll(serialized), origin: this.#serverId });
  }

  /**
   * Hands a message to the backplane without waiting for the broker's answer (a send never fails for
   * the backplane, so waiting would only cost a round trip per send); the backplane client keeps the
   * order. Past {@link MAX_UNANSWERED_PUBLISHES} unanswered publishes the caller waits for this one,
   * so a slow broker slows senders down instead of growing memory.
   */
  #handOver(channel: Channel, payload: Uint8Array): Promise<void> {
    this.#unanswered++;
    const answered = this.#publish(channel, payload).then(() => void this.#unanswered--);
    return this.#unanswered > MAX_UNANSWERED_PUBLISHES ? answered : Promise.resolve();
  }

  /** Publishes; a failure is counted and logged, never thrown (the payload is lost). */
  async #publish(channel: Channel, payload: Uint8Array): Promise<boolean> {
    try {
      await this.#backplane.publish(channel, payload);
    } catch (error) {
      this.#monitor.publishFailed(error, { hub: this.#hub, channel: channel.kind });
      return false;
    }
    this.#monitor.published();
    return true;
  }

  /** Publishes a request that needs an answer: a failure rejects with ERR_HUB_BACKPLANE_UNAVAILABLE. */
  async #publishOrFail(channel: Channel, payload: Uint8Array, connectionId: string): Promise<void> {
    try {
      await this.#backplane.publish(channel, payload);
    } catch (error) {
      this.#monitor.publishFailed(error, { hub: this.#hub, channel: channel.kind });
      throw new HubError(
        HubErrorCode.BackplaneUnavailable,
        `The backplane could not reach the server holding connection '${connectionId}': ${toError(error).message}`,
        'IOException',
        { cause: error },
      );
    }
    this.#monitor.published();
  }

  // --- groups and client results on this server ----------------------------------------------------

  async #joinLocal(connection: HubConnectionContext, group: string): Promise<void> {
    if (connection.signal.aborted) return;
    this.#index.join(connection, group);
    const channel: Channel = { kind: 'group', hub: this.#hub, group };
    // Also for later members: resolve only once the group's subscription is confirmed.
    await this.#subscriptions.ensure(`g:${group}`, channel, (payload) => this.#receiveMessage(payload, channel, () => this.#index.groups.get(group)));
  }

  #leaveLocal(connection: HubConnectionContext, group: string): Promise<void> {
    if (this.#index.leave(connection, group)) this.#subscriptions.release(`g:${group}`);
    return Promise.resolve();
  }

  async #groupCommand(action: GroupAction, connectionId: string, group: string): Promise<void> {
    await this.#ready;
    const verb = action === GroupAction.Add ? 'adding' : 'removing';
    const { id, acked } = this.#acks.create(() => {
      this.#monitor.ackTimedOut();
      return new HubError(
        HubErrorCode.BackplaneTimeout,
        `No server acknowledged ${verb} connection '${connectionId}' ${action === GroupAction.Add ? 'to' : 'from'} group '${group}' within ${this.#ackTimeoutMs} ms.`,
        'TimeoutException',
      );
    });
    const command = encodeGroupCommand({ id, serverId: this.#serverId, action, group, connectionId });
    try {
      await this.#publishOrFail(this.#commandsChannel, command, connectionId);
    } catch (error) {
      this.#acks.cancel(id);
      throw error;
    }
    await acked;
  }

  async #invokeLocal(connection: HubConnectionContext, target: string, args: readonly unknown[]): Promise<unknown> {
    const { connectionId } = connection;
    if (connection.signal.aborted) throw disconnectedError(connectionId);
    if (!this.#watched.has(connection)) {
      this.#watched.add(connection);
      // Fail this server's pending client results as soon as the connection aborts.
      connection.signal.addEventListener('abort', () => this.#results.failConnection(connectionId, disconnectedError(connectionId)), { once: true });
    }
    const invocationId = this.#results.nextInvocationId();
    const result = this.#results.add(connectionId, invocationId);
    let sent: boolean;
    try {
      sent = connection.sendMessage({ type: MessageType.Invocation, invocationId, target, arguments: args });
    } catch (error) {
      this.#results.fail(invocationId, toError(error));
      return result;
    }
    if (!sent) this.#results.fail(invocationId, disconnectedError(connectionId));
    return result;
  }

  // --- receiving ------------------------------------------------------------------------------------

  /** A message for the members of a channel (all, a group, a user) held here. */
  #receiveMessage(payload: Uint8Array, channel: Channel, recipients: () => Iterable<HubConnectionContext> | undefined): void {
    const envelope = this.#read(payload, channel, decodeMessageEnvelope);
    if (envelope === undefined || envelope.origin === this.#serverId) return;
    const connections = recipients();
    if (connections === undefined) return;
    const skipped = deliverRemote(connections, new SerializedMessage(undefined, envelope.encodings), exclusion(envelope.excluded));
    if (skipped > 0) this.#monitor.undeliverable(skipped, { hub: this.#hub, channel: channel.kind });
  }

  #receiveForConnection(payload: Uint8Array, connectionId: string): void {
    const envelope: MessageEnvelope | undefined = this.#read(payload, { kind: 'connection', hub: this.#hub, connectionId }, decodeMessageEnvelope);
    if (envelope === undefined || envelope.origin === this.#serverId) return;
    const connection = this.#index.connections.get(connectionId);
    if (connection === undefined || envelope.excluded.includes(connectionId)) return;
    const message = new SerializedMessage(undefined, envelope.encodings);
    const { invocationId, origin } = envelope;
    if (invocationId === undefined) {
      if (deliverRemote([connection], message, undefined) > 0) this.#monitor.undeliverable(1, { hub: this.#hub, channel: 'connection' });
      return;
    }
    // A client result: confirm receipt, remember where the answer goes, then ask the client.
    if (envelope.ackId !== undefined) void this.#publish({ kind: 'ack', hub: this.#hub, serverId: origin }, encodeAck(envelope.ackId));
    if (connection.signal.aborted) {
      this.#answerDisconnected(connection, invocationId, origin);
      return;
    }
    this.#remoteCalls.add(invocationId, connectionId, origin);
    let sent: boolean;
    try {
      sent = connection.sendSerialized(message);
    } catch {
      this.#monitor.undeliverable(1, { hub: this.#hub, channel: 'connection' });
      sent = false;
    }
    if (!sent && this.#remoteCalls.take(invocationId, connectionId) !== undefined) this.#answerDisconnected(connection, invocationId, origin);
  }

  /** Tells the origin of a client result that its connection ended before answering. */
  #answerDisconnected(connection: HubConnectionContext, invocationId: string, origin: string): void {
    const completion: CompletionMessage = { type: MessageType.Completion, invocationId, error: connectionDisconnected(connection.connectionId) };
    const bytes = connection.protocol.writeMessage(completion);
    const payload = encodeCompletionEnvelope({ protocol: connection.protocol.name, completion: bytes, disconnected: true });
    void this.#publish({ kind: 'return', hub: this.#hub, serverId: origin }, payload);
  }

  #receiveGroupCommand(payload: Uint8Array): void {
    const command = this.#read(payload, this.#commandsChannel, decodeGroupCommand);
    if (command === undefined || command.serverId === this.#serverId) return;
    const connection = this.#index.connections.get(command.connectionId);
    if (connection === undefined) return; // another server's connection, or none: only the owner answers
    const applied = command.action === GroupAction.Add ? this.#joinLocal(connection, command.group) : this.#leaveLocal(connection, command.group);
    void applied.then(() => this.#publish({ kind: 'ack', hub: this.#hub, serverId: command.serverId }, encodeAck(command.id)));
  }

  #receiveAck(payload: Uint8Array): void {
    const id = this.#read(payload, { kind: 'ack', hub: this.#hub, serverId: this.#serverId }, decodeAck);
    if (id !== undefined) this.#acks.ack(id);
  }

  #receiveCompletion(payload: Uint8Array): void {
    const channel: Channel = { kind: 'return', hub: this.#hub, serverId: this.#serverId };
    const envelope = this.#read(payload, channel, decodeCompletionEnvelope);
    if (envelope === undefined) return;
    let completion: CompletionMessage;
    try {
      const protocol = this.#protocols.find((candidate) => candidate.name === envelope.protocol);
      if (protocol === undefined) throw new Error(`Unknown protocol '${envelope.protocol}'`);
      const [message] = protocol.parseMessages(envelope.completion).messages;
      if (message?.type !== MessageType.Completion) throw new Error('Expected a Completion message');
      completion = message;
    } catch (error) {
      this.#monitor.invalidPayload(error, { hub: this.#hub, channel: channel.kind });
      return;
    }
    const connectionId = this.#results.connectionOf(completion.invocationId);
    if (connectionId === undefined) return; // timed out or cancelled meanwhile
    if (envelope.disconnected) this.#results.fail(completion.invocationId, disconnectedError(connectionId));
    else this.#results.complete(connectionId, completion);
  }

  /** Decodes a received payload; an unreadable one is counted, logged and dropped. */
  #read<T>(payload: Uint8Array, channel: Channel, decode: (payload: Uint8Array) => T): T | undefined {
    this.#monitor.received();
    try {
      return decode(payload);
    } catch (error) {
      this.#monitor.invalidPayload(error, { hub: this.#hub, channel: channel.kind });
      return undefined;
    }
  }
}

function disconnectedError(connectionId: string): HubError {
  return new HubError(HubErrorCode.ConnectionDisconnected, connectionDisconnected(connectionId), 'IOException');
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
