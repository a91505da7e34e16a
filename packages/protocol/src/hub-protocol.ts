import type { HubMessage } from './hub-message.js';

/** How a transport carries the bytes: text frames (UTF-8) or binary frames. */
export type TransferFormat = 'Text' | 'Binary';

/** Options for {@link HubProtocol.parseMessages}. */
export interface ParseOptions {
  /**
   * Largest accepted single message, in bytes, framing included, as .NET's `MaximumReceiveMessageSize`:
   * for JSON the UTF-8 record plus its 0x1E separator, for MessagePack the VarInt length prefix plus the
   * body. A message that does not fit throws `ERR_PROTOCOL_MESSAGE_TOO_LARGE`, also while it is still
   * incomplete (as soon as it can no longer fit), so a peer cannot make us buffer an endless frame.
   * @default undefined (unlimited)
   */
  readonly maxMessageSize?: number;
}

/** What a parse returns: every complete message, and the bytes of an incomplete trailing frame. */
export interface ParseResult {
  readonly messages: HubMessage[];
  /** The unconsumed remainder (an incomplete frame); empty when everything was consumed. */
  readonly rest: Uint8Array;
}

/**
 * A hub protocol codec. Pure: no sockets, timers or globals; the same instance may be shared by every
 * connection. Unknown message types are skipped, unknown properties ignored (forward compatibility).
 */
export interface HubProtocol {
  /** Name used in the handshake: `json` or `messagepack`. */
  readonly name: string;
  /** Highest protocol version supported (2 enables stateful reconnect). */
  readonly version: number;
  readonly transferFormat: TransferFormat;
  /**
   * Decodes every complete message in `input`. Throws a {@link ProtocolError} on malformed input;
   * never any other error. The error's `messagesBeforeError` holds the messages decoded before the bad
   * one, in order, so a caller can still act on them before closing (as .NET does).
   */
  parseMessages(input: Uint8Array | string, options?: ParseOptions): ParseResult;
  /** Encodes one message with its framing (0x1E terminator or VarInt length prefix). */
  writeMessage(message: HubMessage): Uint8Array;
}
