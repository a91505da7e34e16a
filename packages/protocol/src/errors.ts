/**
 * Typed protocol errors. Every `code` is stable and listed in docs/errors.md; messages copy the
 * .NET server's texts where one exists, because clients and logs compare them.
 */

import type { HubMessage } from './hub-message.js';

export const ProtocolErrorCode = {
  /** The bytes are not valid JSON / MessagePack, or not valid UTF-8 where text is required. */
  InvalidPayload: 'ERR_PROTOCOL_INVALID_PAYLOAD',
  /** The payload decoded, but it is not a well-formed hub message (missing or mistyped field). */
  InvalidMessage: 'ERR_PROTOCOL_INVALID_MESSAGE',
  /** The framing is broken (a bad MessagePack length prefix). */
  InvalidFrame: 'ERR_PROTOCOL_INVALID_FRAME',
  /** One message is larger than the configured maximum. */
  MessageTooLarge: 'ERR_PROTOCOL_MESSAGE_TOO_LARGE',
  /** The handshake request or response is malformed. */
  InvalidHandshake: 'ERR_PROTOCOL_INVALID_HANDSHAKE',
  /**
   * A value handed to a writer cannot be encoded (a cycle, a `bigint`). Thrown by `writeMessage`, never by
   * a parser: the bad value is ours, not the peer's, so the connection can stay open.
   */
  UnserializableValue: 'ERR_PROTOCOL_UNSERIALIZABLE_VALUE',
} as const;
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** Options for the {@link ProtocolError} constructor. */
export interface ProtocolErrorOptions {
  /** The underlying error (a JSON `SyntaxError`, a MessagePack decoder error). */
  readonly cause?: unknown;
  /** See {@link ProtocolError.messagesBeforeError}. @default [] */
  readonly messagesBeforeError?: HubMessage[];
}

/** The one error type codecs throw. `name` is `InvalidDataException` to match .NET's detailed error texts. */
export class ProtocolError extends Error {
  override readonly name = 'InvalidDataException';
  readonly code: ProtocolErrorCode;
  /**
   * The valid messages `parseMessages` read, in order, before the input went bad. .NET dispatches
   * every message ahead of a bad one before it closes the connection, so a server should too: they
   * were well-formed and the client may be waiting for their answers. Empty for the other parsers.
   */
  readonly messagesBeforeError: HubMessage[];

  constructor(code: ProtocolErrorCode, message: string, options?: ProtocolErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.messagesBeforeError = options?.messagesBeforeError ?? [];
  }
}

/**
 * For codecs: `error` carrying `messages` as its {@link ProtocolError.messagesBeforeError}, so a parse
 * that fails midway does not lose the messages it already read. A copy keeps code, text, cause and
 * stack; `error` itself is returned when there are no messages or it is not a ProtocolError.
 */
export function withMessagesBeforeError(error: unknown, messages: HubMessage[]): unknown {
  if (messages.length === 0 || !(error instanceof ProtocolError)) return error;
  const copy = new ProtocolError(error.code, error.message, { cause: error.cause, messagesBeforeError: messages });
  if (error.stack !== undefined) copy.stack = error.stack;
  return copy;
}

/** True when `error` is a {@link ProtocolError}. */
export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}

/**
 * The error a codec throws when one message (or an unfinished one) exceeds `maxMessageSize`. The
 * text is the .NET server's minus its last sentence, which names a .NET API ("…configured in AddHubOptions.").
 */
export function createMessageTooLargeError(maxMessageSize: number): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.MessageTooLarge, `The maximum message size of ${maxMessageSize}B was exceeded.`);
}
