/**
 * The payloads servers exchange over a backplane, all MessagePack arrays shaped after ASP.NET Core's
 * Redis backplane (signalr-wire.md §5.2). Readers check a minimum length and ignore extra items, so
 * a later version may append fields without breaking a mixed-version cluster.
 *
 * | Payload | Channel | Shape |
 * |---|---|---|
 * | message | all, group, user, connection | `[excluded: str[], encodings: {protocol: bin}, origin: str]` |
 * | client-result invocation | connection | `[excluded, encodings, origin, invocationId: str, ackId: uint]` |
 * | group command | groupCommands | `[id: uint, serverId: str, action: 1 add / 2 remove, group: str, connectionId: str]` |
 * | ack | ack | `[id: uint]` |
 * | completion | return | `[protocol: str, completion: bin, disconnected?: bool-as-uint]` |
 *
 * `encodings` holds the hub message already framed in every protocol of the app, so receiving servers
 * write those bytes to their connections without re-encoding.
 */
import { EnvelopeError, MsgpackReader, MsgpackWriter } from './msgpack-lite.js';

/** A hub message for the connections a channel names, pre-encoded per protocol. */
export interface MessageEnvelope {
  /** Connection ids that must not receive it. */
  readonly excluded: readonly string[];
  /** [protocol name, framed bytes] for every protocol of the sending app. */
  readonly encodings: ReadonlyArray<readonly [string, Uint8Array]>;
  /** The publishing server: it already delivered to its own connections. */
  readonly origin: string;
  /** Set for a client-result invocation (connection channel only). */
  readonly invocationId?: string | undefined;
  /** Set with `invocationId`: the owning server acknowledges receipt with this id. */
  readonly ackId?: number | undefined;
}

export const GroupAction = { Add: 1, Remove: 2 } as const;
export type GroupAction = (typeof GroupAction)[keyof typeof GroupAction];

export interface GroupCommand {
  readonly id: number;
  /** The server waiting for the ack. */
  readonly serverId: string;
  readonly action: GroupAction;
  readonly group: string;
  readonly connectionId: string;
}

/** A client's Completion travelling back to the server that invoked it. */
export interface CompletionEnvelope {
  readonly protocol: string;
  /** The Completion message framed in `protocol`. */
  readonly completion: Uint8Array;
  /** The connection ended before answering (the Completion then carries .NET's error text). */
  readonly disconnected: boolean;
}

export function encodeMessageEnvelope(envelope: MessageEnvelope): Uint8Array {
  let size = 32 + envelope.origin.length * 3;
  for (const [, bytes] of envelope.encodings) size += bytes.byteLength + 16;
  const writer = new MsgpackWriter(size);
  const { invocationId } = envelope;
  writer.arrayHeader(invocationId !== undefined ? 5 : 3).arrayHeader(envelope.excluded.length);
  for (const id of envelope.excluded) writer.string(id);
  writer.mapHeader(envelope.encodings.length);
  for (const [name, bytes] of envelope.encodings) writer.string(name).binary(bytes);
  writer.string(envelope.origin);
  if (invocationId !== undefined) writer.string(invocationId).uint(envelope.ackId ?? 0);
  return writer.finish();
}

/** @throws EnvelopeError */
export function decodeMessageEnvelope(payload: Uint8Array): MessageEnvelope {
  const reader = new MsgpackReader(payload);
  const length = atLeast(reader.arrayHeader(), 3, 'message');
  const excluded: string[] = [];
  for (let n = reader.arrayHeader(); n > 0; n--) excluded.push(reader.string());
  const encodings: Array<readonly [string, Uint8Array]> = [];
  for (let n = reader.mapHeader(); n > 0; n--) encodings.push([reader.string(), reader.binary()]);
  const origin = reader.string();
  if (length < 5 || reader.nil()) return { excluded, encodings, origin };
  const invocationId = reader.string();
  return { excluded, encodings, origin, invocationId, ackId: reader.uint() };
}

export function encodeGroupCommand(command: GroupCommand): Uint8Array {
  return new MsgpackWriter(32 + (command.serverId.length + command.group.length + command.connectionId.length) * 3)
    .arrayHeader(5)
    .uint(command.id)
    .string(command.serverId)
    .uint(command.action)
    .string(command.group)
    .string(command.connectionId)
    .finish();
}

/** @throws EnvelopeError */
export function decodeGroupCommand(payload: Uint8Array): GroupCommand {
  const reader = new MsgpackReader(payload);
  atLeast(reader.arrayHeader(), 5, 'group command');
  const id = reader.uint();
  const serverId = reader.string();
  const action = reader.uint();
  if (action !== GroupAction.Add && action !== GroupAction.Remove) throw new EnvelopeError(`Unknown group action ${action}`);
  return { id, serverId, action, group: reader.string(), connectionId: reader.string() };
}

export function encodeAck(id: number): Uint8Array {
  return new MsgpackWriter(8).arrayHeader(1).uint(id).finish();
}

/** @throws EnvelopeError */
export function decodeAck(payload: Uint8Array): number {
  const reader = new MsgpackReader(payload);
  atLeast(reader.arrayHeader(), 1, 'ack');
  return reader.uint();
}

export function encodeCompletionEnvelope(envelope: CompletionEnvelope): Uint8Array {
  const writer = new MsgpackWriter(envelope.completion.byteLength + 32);
  writer.arrayHeader(envelope.disconnected ? 3 : 2).string(envelope.protocol).binary(envelope.completion);
  if (envelope.disconnected) writer.uint(1);
  return writer.finish();
}

/** @throws EnvelopeError */
export function decodeCompletionEnvelope(payload: Uint8Array): CompletionEnvelope {
  const reader = new MsgpackReader(payload);
  const length = atLeast(reader.arrayHeader(), 2, 'completion');
  const protocol = reader.string();
  const completion = reader.binary();
  const disconnected = length >= 3 && !reader.nil() && reader.uint() === 1;
  return { protocol, completion, disconnected };
}

function atLeast(length: number, minimum: number, what: string): number {
  if (length < minimum) throw new EnvelopeError(`A ${what} payload needs at least ${minimum} items, got ${length}`);
  return length;
}
