/**
 * Turns one decoded MessagePack value (the array layouts of the MessagePack hub protocol) into a
 * {@link HubMessage}, validating every field. Readers check MINIMUM lengths only, so a future
 * protocol may append elements, and unknown message types are skipped: both for forward
 * compatibility, as the official readers do. Error texts follow .NET's MessagePackHubProtocolWorker
 * (field reads) and the official TS client (array lengths).
 */
import {
  MessageType,
  ProtocolError,
  ProtocolErrorCode,
  type AckMessage,
  type CancelInvocationMessage,
  type CloseMessage,
  type CompletionMessage,
  type HubMessage,
  type InvocationMessage,
  type MessageHeaders,
  type PingMessage,
  type SequenceMessage,
  type StreamInvocationMessage,
  type StreamItemMessage,
} from '@switchyard/protocol';

/** Completion result kinds on the wire. */
export const CompletionResultKind = { Error: 1, Void: 2, NonVoid: 3 } as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Fields = readonly unknown[];

const PING: PingMessage = Object.freeze({ type: MessageType.Ping });

/**
 * Reads one hub message from its decoded array.
 * @returns the message, or `undefined` for a message type this version does not know.
 * @throws {ProtocolError} `ERR_PROTOCOL_INVALID_MESSAGE` when the value is not a well-formed message.
 */
export function readHubMessage(value: unknown): HubMessage | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('Invalid payload: a hub message must be a non-empty MessagePack array.');
  }
  const fields: Fields = value;
  const type = fields[0];
  if (typeof type !== 'number' || !Number.isInteger(type)) throw invalid("Reading 'messageType' as Int32 failed.");

  switch (type) {
    case MessageType.Invocation:
      return readInvocation(fields);
    case MessageType.StreamItem:
      return readStreamItem(fields);
    case MessageType.Completion:
      return readCompletion(fields);
    case MessageType.StreamInvocation:
      return readStreamInvocation(fields);
    case MessageType.CancelInvocation:
      return readCancelInvocation(fields);
    case MessageType.Ping:
      return PING;
    case MessageType.Close:
      return readClose(fields);
    case MessageType.Ack:
      requireLength(fields, 2, 'Ack');
      return { type: MessageType.Ack, sequenceId: readSequenceId(fields[1]) } satisfies AckMessage;
    case MessageType.Sequence:
      requireLength(fields, 2, 'Sequence');
      return { type: MessageType.Sequence, sequenceId: readSequenceId(fields[1]) } satisfies SequenceMessage;
    default:
      // Future protocol versions may add message types; old peers ignore them.
      return undefined;
  }
}

// [1, headers, invocationId | nil, target, [arguments], [streamIds]?]
function readInvocation(fields: Fields): InvocationMessage {
  requireLength(fields, 5, 'Invocation');
  const headers = readHeaders(fields[1]);
  // nil and "" both mean a non-blocking call (.NET normalizes "" to null).
  const invocationId = readNullableString(fields[2], 'invocationId');
  const message: Mutable<InvocationMessage> = {
    type: MessageType.Invocation,
    target: readRequiredString(fields[3], 'target', 'target for Invocation message'),
    arguments: readArguments(fields[4]),
  };
  if (headers !== undefined) message.headers = headers;
  if (invocationId) message.invocationId = invocationId;
  // Older clients send 5 elements; the 6th may be nil from lenient writers.
  const streamIds = fields.length > 5 ? readStreamIds(fields[5]) : undefined;
  if (streamIds !== undefined) message.streamIds = streamIds;
  return message;
}

// [4, headers, invocationId, target, [arguments], [streamIds]?]
function readStreamInvocation(fields: Fields): StreamInvocationMessage {
  requireLength(fields, 5, 'StreamInvocation');
  const headers = readHeaders(fields[1]);
  const message: Mutable<StreamInvocationMessage> = {
    type: MessageType.StreamInvocation,
    invocationId: readRequiredString(fields[2], 'invocationId', 'invocation ID for StreamInvocation message'),
    target: readRequiredString(fields[3], 'target', 'target for StreamInvocation message'),
    arguments: readArguments(fields[4]),
  };
  if (headers !== undefined) message.headers = headers;
  const streamIds = fields.length > 5 ? readStreamIds(fields[5]) : undefined;
  if (streamIds !== undefined) message.streamIds = streamIds;
  return message;
}

// [2, headers, invocationId, item]
function readStreamItem(fields: Fields): StreamItemMessage {
  requireLength(fields, 4, 'StreamItem');
  const headers = readHeaders(fields[1]);
  const message: Mutable<StreamItemMessage> = {
    type: MessageType.StreamItem,
    invocationId: readRequiredString(fields[2], 'invocationId', 'invocation ID for StreamItem message'),
    item: fields[3],
  };
  if (headers !== undefined) message.headers = headers;
  return message;
}

// [3, headers, invocationId, resultKind, result | error?]
function readCompletion(fields: Fields): CompletionMessage {
  requireLength(fields, 4, 'Completion');
  const headers = readHeaders(fields[1]);
  const message: Mutable<CompletionMessage> = {
    type: MessageType.Completion,
    invocationId: readRequiredString(fields[2], 'invocationId', 'invocation ID for Completion message'),
  };
  if (headers !== undefined) message.headers = headers;

  const kind = fields[3];
  if (typeof kind !== 'number' || !Number.isInteger(kind)) throw invalid("Reading 'resultKind' as Int32 failed.");
  switch (kind) {
    case CompletionResultKind.Void:
      break;
    case CompletionResultKind.Error: {
      requireLength(fields, 5, 'Completion');
      const error = fields[4];
      if (typeof error !== 'string') throw invalid("Reading 'error' as String failed.");
      message.error = error;
      break;
    }
    case CompletionResultKind.NonVoid:
      requireLength(fields, 5, 'Completion');
      // A void hub method completes with kind 3 and nil: the result is null, not absent.
      message.result = fields[4];
      break;
    default:
      throw invalid('Invalid invocation result kind.');
  }
  return message;
}

// [5, headers, invocationId]
function readCancelInvocation(fields: Fields): CancelInvocationMessage {
  requireLength(fields, 3, 'CancelInvocation');
  const headers = readHeaders(fields[1]);
  const message: Mutable<CancelInvocationMessage> = {
    type: MessageType.CancelInvocation,
    invocationId: readRequiredString(fields[2], 'invocationId', 'invocation ID for CancelInvocation message'),
  };
  if (headers !== undefined) message.headers = headers;
  return message;
}

// [7, error | nil, allowReconnect?]: the official client writes [7, nil].
function readClose(fields: Fields): CloseMessage {
  requireLength(fields, 2, 'Close');
  const message: Mutable<CloseMessage> = { type: MessageType.Close };
  const error = fields[1];
  if (error !== null) {
    if (typeof error !== 'string') throw invalid("Reading 'error' as String failed.");
    // An empty string is still an error, as in .NET.
    message.error = error;
  }
  if (fields.length > 2) {
    const allowReconnect = fields[2];
    if (typeof allowReconnect !== 'boolean') throw invalid("Reading 'allowReconnect' as Boolean failed.");
    if (allowReconnect) message.allowReconnect = true;
  }
  return message;
}

/** Headers are a map of non-empty strings; an empty map reads as "no headers". */
function readHeaders(value: unknown): MessageHeaders | undefined {
  if (!isPlainObject(value)) throw invalid("Reading map length for 'headers' failed.");
  let count = 0;
  // for...in avoids allocating a key array; decoded maps are plain objects with no inherited enumerables.
  for (const key in value) {
    const headerValue = value[key];
    if (key === '') throw invalid('Null or empty key in header.');
    if (typeof headerValue !== 'string') throw invalid(`Reading 'headers[${count}].Value' as String failed.`);
    if (headerValue === '') throw invalid('Null or empty value in header.');
    count++;
  }
  return count === 0 ? undefined : (value as MessageHeaders);
}

function readArguments(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw invalid("Reading array length for 'arguments' failed.");
  return value;
}

function readStreamIds(value: unknown): string[] | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) throw invalid("Reading array length for 'streamIds' failed.");
  for (const id of value as unknown[]) {
    if (typeof id !== 'string' || id === '') throw invalid('Null or empty value in streamIds received.');
  }
  return value as string[];
}

function readSequenceId(value: unknown): number {
  // Any integer width is fine; beyond 2^53 a number is no longer exact, so it is refused.
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid("Reading 'sequenceId' as Int64 failed.");
  return value;
}

function readNullableString(value: unknown, field: string): string | undefined {
  if (value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`Reading '${field}' as String failed.`);
  return value;
}

function readRequiredString(value: unknown, field: string, description: string): string {
  const text = readNullableString(value, field);
  if (!text) throw invalid(`Null or empty ${description}.`);
  return text;
}

function requireLength(fields: Fields, minimum: number, name: string): void {
  if (fields.length < minimum) throw invalid(`Invalid payload for ${name} message.`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function invalid(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidMessage, message);
}
