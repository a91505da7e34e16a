/**
 * Writes one hub message as JSON text (no separator), in .NET's property order (type, headers,
 * invocationId, then the type's fields) and with its omission rules, so that its output and ours
 * are byte-identical for the same message.
 */

import { ProtocolError, ProtocolErrorCode } from './errors.js';
import { MessageType, type HubMessage, type MessageHeaders } from './hub-message.js';
import { stringifyPayload } from './json-payload.js';

/**
 * @throws ProtocolError `ERR_PROTOCOL_UNSERIALIZABLE_VALUE` for a payload JSON cannot hold,
 *   `ERR_PROTOCOL_INVALID_MESSAGE` for an unknown message type.
 */
export function writeHubMessageJson(message: HubMessage): string {
  switch (message.type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      let json = `{"type":${message.type}${headers(message.headers)}${invocationId(message.invocationId)}`;
      json += `,"target":${JSON.stringify(message.target)},"arguments":${stringifyPayload(message.arguments)}`;
      if (message.streamIds != null) json += `,"streamIds":${JSON.stringify(message.streamIds)}`;
      return `${json}}`;
    }
    case MessageType.StreamItem:
      return `{"type":2${headers(message.headers)}${invocationId(message.invocationId)},"item":${stringifyPayload(message.item)}}`;
    case MessageType.Completion: {
      const json = `{"type":3${headers(message.headers)}${invocationId(message.invocationId)}`;
      if (message.error) return `${json},"error":${JSON.stringify(message.error)}}`;
      // `result: null` is a value (a void method's completion); only `undefined` means "no result".
      if (message.result !== undefined) return `${json},"result":${stringifyPayload(message.result)}}`;
      return `${json}}`;
    }
    case MessageType.CancelInvocation:
      return `{"type":5${headers(message.headers)}${invocationId(message.invocationId)}}`;
    case MessageType.Ping:
      return '{"type":6}';
    case MessageType.Close: {
      let json = '{"type":7';
      if (message.error != null) json += `,"error":${JSON.stringify(message.error)}`;
      if (message.allowReconnect === true) json += ',"allowReconnect":true';
      return `${json}}`;
    }
    case MessageType.Ack:
    case MessageType.Sequence:
      return `{"type":${message.type},"sequenceId":${JSON.stringify(message.sequenceId)}}`;
    default: {
      const type: unknown = (message as { type?: unknown }).type;
      throw new ProtocolError(ProtocolErrorCode.InvalidMessage, `Unsupported message type: ${String(type)}.`);
    }
  }
}

function invocationId(id: string | undefined): string {
  return id ? `,"invocationId":${JSON.stringify(id)}` : '';
}

function headers(value: MessageHeaders | undefined): string {
  if (value == null) return '';
  for (const _name in value) return `,"headers":${JSON.stringify(value)}`;
  return '';
}
