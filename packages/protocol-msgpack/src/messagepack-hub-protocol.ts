import { Decoder, Encoder } from '@msgpack/msgpack';
import {
  MessageType,
  ProtocolError,
  ProtocolErrorCode,
  lengthPrefixSize,
  forEachBinaryFrame,
  writeBinaryFrame,
  writeLengthPrefix,
  withMessagesBeforeError,
  type HubMessage,
  type HubProtocol,
  type MessageHeaders,
  type ParseOptions,
  type ParseResult,
  type TransferFormat,
} from '@switchyard/protocol';
import { CompletionResultKind, readHubMessage } from './read-hub-message.js';

/** Ping is always `[6]`; its framed bytes (`02 91 06`) are built once. */
const PING_FRAME: Uint8Array = writeBinaryFrame(Uint8Array.of(0x91, MessageType.Ping));

/** Written for absent headers: msgpack `0x80`, the empty map. */
const NO_HEADERS: MessageHeaders = Object.freeze({});

const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  [MessageType.Invocation]: 'Invocation',
  [MessageType.StreamItem]: 'StreamItem',
  [MessageType.Completion]: 'Completion',
  [MessageType.StreamInvocation]: 'StreamInvocation',
  [MessageType.CancelInvocation]: 'CancelInvocation',
  [MessageType.Ping]: 'Ping',
  [MessageType.Close]: 'Close',
  [MessageType.Ack]: 'Ack',
  [MessageType.Sequence]: 'Sequence',
};

/**
 * The SignalR MessagePack hub protocol (`messagepack`, version 2, binary transfer format), wire-compatible
 * with ASP.NET Core and `@microsoft/signalr-protocol-msgpack`.
 *
 * Every message is a MessagePack array behind a VarInt length prefix. Values map as `@msgpack/msgpack`
 * maps them: `Uint8Array` ↔ `bin`, `Date` ↔ timestamp extension (−1), plain objects ↔ maps, other
 * extension types ↔ `ExtData`. Decoded `bin` values are views into the input bytes (no copy).
 *
 * One instance holds one reusable encoder and decoder; share it freely between connections, since
 * every call runs to completion synchronously.
 *
 * @example
 * const protocol = new MessagePackHubProtocol();
 * const bytes = protocol.writeMessage({ type: MessageType.Invocation, target: 'send', arguments: ['hi'] });
 * const { messages, rest } = protocol.parseMessages(bytes, { maxMessageSize: 32 * 1024 });
 */
export class MessagePackHubProtocol implements HubProtocol {
  /** The handshake name: `messagepack`. */
  readonly name = 'messagepack';
  /** Version 2: stateful reconnect (Ack and Sequence messages) is supported. */
  readonly version = 2;
  /** Binary only, so never offered on Server-Sent Events. */
  readonly transferFormat: TransferFormat = 'Binary';

  // Reused for every message: creating codecs per message would allocate their buffers each time.
  readonly #encoder = new Encoder();
  readonly #decoder = new Decoder();

  /**
   * Decodes every complete frame of `input`. `input` must be bytes: MessagePack is binary only.
   * Bytes of a trailing incomplete frame come back as `rest` (a view into `input`).
   * @throws {ProtocolError} `ERR_PROTOCOL_INVALID_FRAME` or `ERR_PROTOCOL_MESSAGE_TOO_LARGE` (a frame, prefix
   *   included, over `maxMessageSize`) for bad framing, `ERR_PROTOCOL_INVALID_PAYLOAD` for text input or
   *   bytes that are not MessagePack, `ERR_PROTOCOL_INVALID_MESSAGE` for MessagePack that is not a valid hub
   *   message. The error's `messagesBeforeError` holds the messages read before the bad frame.
   */
  parseMessages(input: Uint8Array | string, options?: ParseOptions): ParseResult {
    if (typeof input === 'string' || !(input instanceof Uint8Array)) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidPayload,
        'Invalid input for MessagePack hub protocol. Expected a Uint8Array.',
      );
    }
    // A Node Buffer would make every decoded `bin` (a subarray) a Buffer too; a plain view keeps values uniform.
    const bytes = Object.getPrototypeOf(input) === Uint8Array.prototype
      ? input
      : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);

    const messages: HubMessage[] = [];
    try {
      const rest = forEachBinaryFrame(bytes, options, (body) => {
        const message = readHubMessage(this.#decode(body));
        if (message !== undefined) messages.push(message);
      });
      return { messages, rest };
    } catch (error) {
      throw withMessagesBeforeError(error, messages);
    }
  }

  /**
   * Encodes one message with its length prefix. The result is a fresh buffer, except for Ping, which
   * returns one shared constant: treat the returned bytes as read-only.
   * @throws {ProtocolError} `ERR_PROTOCOL_INVALID_MESSAGE` for an unknown message type or a value
   *   MessagePack cannot carry (a function, a symbol, a bigint, objects nested deeper than 100 levels).
   */
  writeMessage(message: HubMessage): Uint8Array {
    switch (message.type) {
      case MessageType.Invocation:
      case MessageType.StreamInvocation: {
        // Invocation ids are nil when absent or empty: the call is non-blocking.
        const id = message.type === MessageType.Invocation ? message.invocationId || null : message.invocationId;
        const fields: unknown[] = [message.type, message.headers ?? NO_HEADERS, id, message.target, message.arguments];
        // 6 elements only when stream ids exist, as the official client and the spec examples do.
        if (message.streamIds) fields.push(message.streamIds);
        return this.#frame(message.type, fields);
      }
      case MessageType.StreamItem:
        return this.#frame(message.type, [message.type, message.headers ?? NO_HEADERS, message.invocationId, message.item]);
      case MessageType.Completion: {
        const headers = message.headers ?? NO_HEADERS;
        // An error wins over a result; `result: undefined` is a void completion (the end of a stream).
        if (message.error != null) {
          return this.#frame(message.type, [
            message.type, headers, message.invocationId, CompletionResultKind.Error, message.error,
          ]);
        }
        if (message.result !== undefined) {
          return this.#frame(message.type, [
            message.type, headers, message.invocationId, CompletionResultKind.NonVoid, message.result,
          ]);
        }
        return this.#frame(message.type, [message.type, headers, message.invocationId, CompletionResultKind.Void]);
      }
      case MessageType.CancelInvocation:
        return this.#frame(message.type, [message.type, message.headers ?? NO_HEADERS, message.invocationId]);
      case MessageType.Ping:
        return PING_FRAME;
      case MessageType.Close:
        // allowReconnect is written only when true: readers treat a missing element as false.
        return message.allowReconnect === true
          ? this.#frame(message.type, [message.type, message.error ?? null, true])
          : this.#frame(message.type, [message.type, message.error ?? null]);
      case MessageType.Ack:
      case MessageType.Sequence:
        return this.#frame(message.type, [message.type, message.sequenceId]);
      default:
        throw new ProtocolError(
          ProtocolErrorCode.InvalidMessage,
          `Invalid message type: ${String((message as { type?: unknown }).type)}.`,
        );
    }
  }

  #decode(body: Uint8Array): unknown {
    // The decoder reports an empty buffer with a raw DataView bounds error; say what is wrong instead.
    if (body.byteLength === 0) {
      throw new ProtocolError(ProtocolErrorCode.InvalidPayload, 'Invalid MessagePack payload: the message is empty.');
    }
    try {
      return this.#decoder.decode(body);
    } catch (error) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidPayload,
        `Invalid MessagePack payload: ${describeDecodeError(error)}.`,
        { cause: error },
      );
    }
  }

  /** Encodes `fields` into the shared encoder buffer, then copies it once, behind its prefix, into the result. */
  #frame(type: MessageType, fields: unknown[]): Uint8Array {
    let body: Uint8Array;
    try {
      body = this.#encoder.encodeSharedRef(fields);
    } catch (error) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidMessage,
        `Cannot serialize ${MESSAGE_NAMES[type] ?? 'unknown'} message: ${describe(error)}.`,
        { cause: error },
      );
    }
    const frame = new Uint8Array(lengthPrefixSize(body.byteLength) + body.byteLength);
    frame.set(body, writeLengthPrefix(body.byteLength, frame, 0));
    return frame;
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/**
 * The decoder reports a body that ends inside a value either as its own "Insufficient data" or, when
 * the cut falls on a type byte, as a raw DataView bounds error: both mean the same, so say it once.
 */
function describeDecodeError(error: unknown): string {
  if (error instanceof RangeError && !error.message.startsWith('Extra ')) return 'Insufficient data';
  return describe(error);
}
