/**
 * The JSON hub protocol (`json`, version 2): one JSON object per 0x1E-terminated record, as
 * spoken by ASP.NET Core SignalR and the official `@microsoft/signalr` client.
 */

import { ProtocolErrorCode, withMessagesBeforeError } from './errors.js';
import type { HubMessage } from './hub-message.js';
import type { HubProtocol, ParseOptions, ParseResult } from './hub-protocol.js';
import { readHubMessage } from './json-message-reader.js';
import { writeHubMessageJson } from './json-message-writer.js';
import { decodeUtf8, parseJsonObject } from './json-record.js';
import { RECORD_SEPARATOR_CHAR, forEachRecord } from './text-message-format.js';

const EMPTY = new Uint8Array(0);

/**
 * The JSON hub protocol codec. Stateless apart from its encoder/decoder, so one instance can serve
 * every connection.
 *
 * Payload values are written like .NET's defaults (`Uint8Array` → base64, `Date` → ISO-8601) and read
 * as plain JSON: a base64 string or a date string stays a string until the hub binds it to a type.
 *
 * @example
 * const protocol = new JsonHubProtocol();
 * const bytes = protocol.writeMessage({ type: MessageType.Invocation, target: 'send', arguments: ['hi'] });
 * const { messages, rest } = protocol.parseMessages(bytes, { maxMessageSize: 32_768 });
 */
export class JsonHubProtocol implements HubProtocol {
  readonly name = 'json';
  readonly version = 2;
  readonly transferFormat = 'Text';

  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });

  /**
   * Decodes every complete record of `input`. Byte input's `rest` is a view of `input` (no copy);
   * string input's rest is encoded to bytes. Messages of unknown types are skipped.
   * @throws ProtocolError `ERR_PROTOCOL_INVALID_PAYLOAD` (not UTF-8, not JSON),
   *   `ERR_PROTOCOL_INVALID_MESSAGE` (not a valid hub message), `ERR_PROTOCOL_MESSAGE_TOO_LARGE`
   *   (a record with its separator, or the unfinished rest that can no longer fit, over
   *   `maxMessageSize`). The error's `messagesBeforeError` holds the messages read before the bad record.
   */
  parseMessages(input: Uint8Array | string, options?: ParseOptions): ParseResult {
    const limit = { maxRecordSize: options?.maxMessageSize };
    const messages: HubMessage[] = [];
    try {
      if (typeof input === 'string') {
        const rest = forEachRecord(input, limit, (record) => this.#readRecord(record, messages));
        return { messages, rest: rest.length === 0 ? EMPTY : this.#encoder.encode(rest) };
      }
      const rest = forEachRecord(input, limit, (record) => {
        this.#readRecord(decodeUtf8(this.#decoder, record, ProtocolErrorCode.InvalidPayload, 'message'), messages);
      });
      return { messages, rest: rest.length === 0 ? EMPTY : rest };
    } catch (error) {
      throw withMessagesBeforeError(error, messages);
    }
  }

  /**
   * Encodes one message as UTF-8 JSON followed by 0x1E.
   * @throws ProtocolError `ERR_PROTOCOL_UNSERIALIZABLE_VALUE` when a payload cannot be JSON (a cycle, a bigint).
   */
  writeMessage(message: HubMessage): Uint8Array {
    return this.#encoder.encode(this.writeText(message));
  }

  /** {@link writeMessage} as a string, for transports that send text frames (browsers, SSE). */
  writeText(message: HubMessage): string {
    return writeHubMessageJson(message) + RECORD_SEPARATOR_CHAR;
  }

  #readRecord(text: string, messages: HubMessage[]): void {
    const json = parseJsonObject(text, ProtocolErrorCode.InvalidPayload, ProtocolErrorCode.InvalidMessage);
    const message = readHubMessage(json);
    if (message !== undefined) messages.push(message);
  }
}
