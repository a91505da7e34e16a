/**
 * Turns one decoded JSON object into a hub message, validating it like the .NET server
 * (JsonHubProtocol.ParseMessage) and with its error texts. Unknown properties are ignored and
 * unknown message types skipped, so newer peers can add both.
 */

import { ProtocolError, ProtocolErrorCode } from './errors.js';
import {
  MessageType,
  type AckMessage,
  type CancelInvocationMessage,
  type CloseMessage,
  type CompletionMessage,
  type HubMessage,
  type InvocationMessage,
  type MessageHeaders,
  type SequenceMessage,
  type StreamInvocationMessage,
  type StreamItemMessage,
} from './hub-message.js';
import type { JsonObject } from './json-record.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Reads one message.
 * @returns `undefined` for a message type this version does not know (to be skipped).
 * @throws ProtocolError `ERR_PROTOCOL_INVALID_MESSAGE`.
 */
export function readHubMessage(json: JsonObject): HubMessage | undefined {
  const type = json['type'];
  if (type === undefined) throw invalid("Missing required property 'type'.");
  if (typeof type !== 'number') throw invalid("Expected 'type' to be of type Number.");
  switch (type) {
    case MessageType.Invocation:
      return readInvocation(json);
    case MessageType.StreamItem:
      return readStreamItem(json);
    case MessageType.Completion:
      return readCompletion(json);
    case MessageType.StreamInvocation:
      return readStreamInvocation(json);
    case MessageType.CancelInvocation:
      return readCancelInvocation(json);
    case MessageType.Ping:
      return { type: MessageType.Ping };
    case MessageType.Close:
      return readClose(json);
    case MessageType.Ack:
    case MessageType.Sequence:
      return readSequenced(json, type);
    default:
      if (!Number.isInteger(type)) throw invalid("Expected 'type' to be an integer.");
      return undefined;
  }
}

function readInvocation(json: JsonObject): InvocationMessage {
  const invocationId = optionalString(json, 'invocationId');
  const target = requiredTarget(json);
  const message: Mutable<InvocationMessage> = { type: MessageType.Invocation, target, arguments: requiredArguments(json) };
  // An empty id means non-blocking, as on .NET; omitting it keeps the two spellings one message.
  if (invocationId) message.invocationId = invocationId;
  const streamIds = optionalStreamIds(json);
  if (streamIds !== undefined) message.streamIds = streamIds;
  return withHeaders(message, json);
}

function readStreamInvocation(json: JsonObject): StreamInvocationMessage {
  const invocationId = optionalString(json, 'invocationId');
  const target = requiredTarget(json);
  if (!invocationId) throw missing('invocationId');
  const message: Mutable<StreamInvocationMessage> = {
    type: MessageType.StreamInvocation,
    invocationId,
    target,
    arguments: requiredArguments(json),
  };
  const streamIds = optionalStreamIds(json);
  if (streamIds !== undefined) message.streamIds = streamIds;
  return withHeaders(message, json);
}

function readStreamItem(json: JsonObject): StreamItemMessage {
  const invocationId = requiredInvocationId(json);
  const item = json['item'];
  // JSON has no undefined: `"item":null` is present (a null item), only absence is an error.
  if (item === undefined) throw missing('item');
  return withHeaders<StreamItemMessage>({ type: MessageType.StreamItem, invocationId, item }, json);
}

function readCompletion(json: JsonObject): CompletionMessage {
  const invocationId = requiredInvocationId(json);
  const error = optionalString(json, 'error');
  const result = json['result'];
  if (error !== undefined && result !== undefined) {
    throw invalid("The 'error' and 'result' properties are mutually exclusive.");
  }
  const message: Mutable<CompletionMessage> = { type: MessageType.Completion, invocationId };
  // An empty error is no error (the official client resolves on it, and writers omit it).
  if (error) message.error = error;
  else if (result !== undefined) message.result = result;
  return withHeaders(message, json);
}

function readCancelInvocation(json: JsonObject): CancelInvocationMessage {
  return withHeaders<CancelInvocationMessage>({ type: MessageType.CancelInvocation, invocationId: requiredInvocationId(json) }, json);
}

function readClose(json: JsonObject): CloseMessage {
  const error = optionalString(json, 'error');
  const allowReconnect = json['allowReconnect'];
  if (allowReconnect !== undefined && typeof allowReconnect !== 'boolean') {
    throw invalid("Expected 'allowReconnect' to be true or false.");
  }
  const message: Mutable<CloseMessage> = { type: MessageType.Close };
  // An empty string is still an error (as on .NET); `false` is the default and stays implicit.
  if (error !== undefined) message.error = error;
  if (allowReconnect === true) message.allowReconnect = true;
  return message;
}

function readSequenced(json: JsonObject, type: typeof MessageType.Ack | typeof MessageType.Sequence): AckMessage | SequenceMessage {
  const sequenceId = json['sequenceId'];
  if (sequenceId === undefined || sequenceId === null) throw missing('sequenceId');
  if (typeof sequenceId !== 'number') throw invalid("Expected 'sequenceId' to be of type Number.");
  if (!Number.isInteger(sequenceId)) throw invalid("Expected 'sequenceId' to be an integer.");
  return { type, sequenceId };
}

function requiredTarget(json: JsonObject): string {
  const target = optionalString(json, 'target');
  if (!target) throw missing('target');
  return target;
}

function requiredInvocationId(json: JsonObject): string {
  const invocationId = optionalString(json, 'invocationId');
  if (!invocationId) throw missing('invocationId');
  return invocationId;
}

function requiredArguments(json: JsonObject): unknown[] {
  const args = json['arguments'];
  if (args === undefined) throw missing('arguments');
  if (!Array.isArray(args)) throw invalid("Expected 'arguments' to be of type Array.");
  return args;
}

function optionalStreamIds(json: JsonObject): string[] | undefined {
  const streamIds = json['streamIds'];
  if (streamIds === undefined) return undefined;
  if (!Array.isArray(streamIds)) throw invalid("Expected 'streamIds' to be of type Array.");
  for (const id of streamIds as unknown[]) {
    if (id === null) throw invalid("Null value for 'streamIds' is not valid.");
    if (typeof id !== 'string') throw invalid("Expected 'streamIds' to contain only strings.");
  }
  return streamIds as string[];
}

/** A string property that may be absent; `null` is a type error, as in .NET's reader. */
function optionalString(json: JsonObject, name: string): string | undefined {
  const value = json[name];
  if (value === undefined || typeof value === 'string') return value;
  throw invalid(`Expected '${name}' to be of type String.`);
}

/** Attaches validated, non-empty headers; the parsed object is reused, not copied. */
function withHeaders<T extends { headers?: MessageHeaders }>(message: Mutable<T>, json: JsonObject): T {
  const headers = json['headers'];
  if (headers === undefined) return message;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw invalid("Expected 'headers' to be of type Object.");
  }
  let empty = true;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw invalid(`Expected header '${name}' to be of type String.`);
    empty = false;
  }
  // Empty headers are never written, so they are not read either: one message, one shape.
  if (!empty) message.headers = headers as MessageHeaders;
  return message;
}

function missing(name: string): ProtocolError {
  return invalid(`Missing required property '${name}'.`);
}

function invalid(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidMessage, message);
}
