/**
 * Typed protocol errors. Every `code` is stable and listed in docs/errors.md; messages copy the
 * .NET server's texts where one exists, because clients and logs compare them.
 */

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

/** The one error type codecs throw. `name` is `InvalidDataException` to match .NET's detailed error texts. */
export class ProtocolError extends Error {
  override readonly name = 'InvalidDataException';
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
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
