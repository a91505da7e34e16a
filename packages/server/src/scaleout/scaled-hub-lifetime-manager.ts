import { randomBytes } from 'node:crypto';
import type { CompletionMessage, HubProtocol, InvocationMessage } from '@switchyard/protocol';
import { HubError, HubErrorCode } from '../errors.js';
import type { Heartbeat } from '../heartbeat.js';
import { ClientResultTracker } from '../lifetime/client-result-tracker.js';
import type { HubConnectionContext, HubLifetimeManager, SendTarget } from '../lifetime/hub-lifetime-manager.js';
import { SerializedMessage } from '../lifetime/serialized-message.js';
import { silentLogger } from '../logger.js';
import { AckTracker } from './ack-tracker.js';
import type { Backplane, Channel } from './backplane.js';
import { BackplaneLink } from './backplane-link.js';
import { deliverLocal, deliverRemote, exclusion, isExcluded } from './delivery.js';
import { GroupAction, decodeAck, decodeGroupCommand, decodeMessageEnvelope, encodeAck, encodeGroupCommand, encodeMessageEnvelope } from './envelopes.js';
import { LocalIndex } from './local-index.js';
import { RemoteClientResults } from './remote-client-results.js';
import { ScaleoutMonitor } from './scaleout-monitor.js';
import { SubscriptionSet } from './subscriptions.js';

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
  readonly #link: BackplaneLink;
  readonly #hub: string;
  readonly #serverId: string;
  readonly #protocols: readonly HubProtocol[];
  readonly #ackTimeoutMs: number;
  readonly #index = new LocalIndex();
  readonly #subscriptions: SubscriptionSet;
  readonly #results: ClientResultTracker;
  readonly #acks: AckTracker;
  readonly #remoteResults: RemoteClientResults;
  readonly #allChannel: Channel;
  readonly #commandsChannel: Channel;
  /** The server-wide subscriptions (all, group commands, acks, returns). */
  readonly #ready: Promise<void>;

  constructor(options: ScaledHubLifetimeManagerOptions) {
    const monitor = options.monitor ?? new ScaleoutMonitor(silentLogger);
    const hub = (this.#hub = options.hubName);
    this.#link = new BackplaneLink(options.backplane, hub, monitor);
    this.#serverId = options.backplane.serverId;
    this.#protocols = options.protocols;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.#subscriptions = new SubscriptionSet(options.backplane, monitor, hub);
    // A per-server prefix keeps invocation ids apart on the server owning the connection.
    this.#results = new ClientResultTracker(options.heartbeat, options.clientResultTimeoutMs ?? null, `${randomBytes(6).toString('hex')}.`);
    this.#acks = new AckTracker(options.heartbeat, this.#ackTimeoutMs);
    this.#remoteResults = new RemoteClientResults(this.#link, this.#results, this.#acks, this.#protocols);
    const all: Channel = (this.#allChannel = { kind: 'all', hub });
    this.#commandsChannel = { kind: 'groupCommands', hub };
    this.#ready = Promise.all([
      this.#subscriptions.ensure('all', all, (payload) => this.#receiveMessage(payload, all, () => this.#index.connections.values())),
      this.#subscriptions.ensure('commands', this.#commandsChannel, (payload) => this.#receiveGroupCommand(payload)),
      this.#subscriptions.ensure('ack', { kind: 'ack', hub, serverId: this.#serverId }, (payload) => this.#receiveAck(payload)),
      this.#subscriptions.ensure('return', { kind: 'return', hub, serverId: this.#serverId }, (payload) => this.#remoteResults.receiveCompletion(payload)),
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
    const departure = this.#index.remove(connection);
    this.#subscriptions.release(`c:${connection.connectionId}`);
    for (const group of departure.emptiedGroups) this.#subscriptions.release(`g:${group}`);
    if (departure.userEmptied) this.#subscriptions.release(`u:${connection.userId!}`);
    this.#remoteResults.connectionEnded(connection);
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
          await this.#link.handOver({ kind: 'connection', hub: this.#hub, connectionId: target.connectionId }, this.#envelope(serialized, except));
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
          else published.push(this.#link.handOver({ kind: 'connection', hub: this.#hub, connectionId }, (payload ??= this.#envelope(serialized, except))));
        }
        await Promise.all(published);
        return;
      }
      case 'all': {
        // Encoding every protocol first means an unencodable argument fails the send before anyone got it.
        const payload = this.#envelope(serialized, except);
        deliverLocal(this.#index.connections.values(), serialized, excluded);
        await this.#link.handOver(this.#allChannel, payload);
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
    if (local !== undefined) return this.#results.invokeOn(local, target, args);
    await this.#ready;
    return this.#remoteResults.invoke(connectionId, target, args);
  }

  setConnectionResult(connectionId: string, completion: CompletionMessage): boolean {
    if (this.#results.complete(connectionId, completion)) return true;
    return this.#remoteResults.forward(connectionId, this.#index.connections.get(connectionId), completion);
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
    await Promise.all(keys.map((key) => this.#link.handOver(channelOf(key), payload)));
  }

  #envelope(serialized: SerializedMessage, except: readonly string[] | undefined): Uint8Array {
    const encodings = this.#protocols.map((protocol) => [protocol.name, serialized.bytesFor(protocol)] as const);
    return encodeMessageEnvelope({ excluded: except ?? [], encodings, origin: this.#serverId });
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

  /** A group change for a connection held elsewhere: only its server applies it, then acknowledges. */
  async #groupCommand(action: GroupAction, connectionId: string, group: string): Promise<void> {
    await this.#ready;
    const verb = action === GroupAction.Add ? 'adding' : 'removing';
    const { id, acked } = this.#acks.create(() => {
      this.#link.monitor.ackTimedOut();
      return new HubError(
        HubErrorCode.BackplaneTimeout,
        `No server acknowledged ${verb} connection '${connectionId}' ${action === GroupAction.Add ? 'to' : 'from'} group '${group}' within ${this.#ackTimeoutMs} ms.`,
        'TimeoutException',
      );
    });
    const command = encodeGroupCommand({ id, serverId: this.#serverId, action, group, connectionId });
    try {
      await this.#link.publishOrFail(this.#commandsChannel, command, connectionId);
    } catch (error) {
      this.#acks.cancel(id);
      throw error;
    }
    await acked;
  }

  // --- receiving ------------------------------------------------------------------------------------

  /** A message for the members of a channel (all, a group, a user) held here. */
  #receiveMessage(payload: Uint8Array, channel: Channel, recipients: () => Iterable<HubConnectionContext> | undefined): void {
    const envelope = this.#link.read(payload, channel, decodeMessageEnvelope);
    if (envelope === undefined || envelope.origin === this.#serverId) return; // the origin delivered its own
    const connections = recipients();
    if (connections === undefined) return;
    const skipped = deliverRemote(connections, new SerializedMessage(undefined, envelope.encodings), exclusion(envelope.excluded));
    if (skipped > 0) this.#link.monitor.undeliverable(skipped, { hub: this.#hub, channel: channel.kind });
  }

  #receiveForConnection(payload: Uint8Array, connectionId: string): void {
    const envelope = this.#link.read(payload, { kind: 'connection', hub: this.#hub, connectionId }, decodeMessageEnvelope);
    if (envelope === undefined || envelope.origin === this.#serverId) return;
    const connection = this.#index.connections.get(connectionId);
    if (connection === undefined || envelope.excluded.includes(connectionId)) return;
    const message = new SerializedMessage(undefined, envelope.encodings);
    if (envelope.invocationId !== undefined) {
      this.#remoteResults.receive(connection, envelope.invocationId, envelope.ackId, envelope.origin, message);
    } else if (deliverRemote([connection], message, undefined) > 0) {
      this.#link.monitor.undeliverable(1, { hub: this.#hub, channel: 'connection' });
    }
  }

  #receiveGroupCommand(payload: Uint8Array): void {
    const command = this.#link.read(payload, this.#commandsChannel, decodeGroupCommand);
    if (command === undefined || command.serverId === this.#serverId) return;
    const connection = this.#index.connections.get(command.connectionId);
    if (connection === undefined) return; // another server's connection, or none: only the owner answers
    const applied = command.action === GroupAction.Add ? this.#joinLocal(connection, command.group) : this.#leaveLocal(connection, command.group);
    // A join refused by maximumGroupsPerConnection is acknowledged too: the asking server is not told
    // (the envelope has no room for an error), but it does not wait for a timeout either.
    const ack = (): Promise<boolean> => this.#link.publish({ kind: 'ack', hub: this.#hub, serverId: command.serverId }, encodeAck(command.id));
    void applied.then(ack, ack);
  }

  #receiveAck(payload: Uint8Array): void {
    const id = this.#link.read(payload, { kind: 'ack', hub: this.#hub, serverId: this.#serverId }, decodeAck);
    if (id !== undefined) this.#acks.ack(id);
  }
}
