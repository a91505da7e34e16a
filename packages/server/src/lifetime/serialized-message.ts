import type { HubMessage, HubProtocol } from '@switchyard/protocol';

/**
 * A message on its way to many connections, encoded at most once per protocol: the first recipient
 * using a protocol pays for the encoding, every other recipient gets the same bytes. A backplane can
 * also build one from bytes it received, already encoded by another server.
 */
export class SerializedMessage {
  /** The message, when known (a backplane may only carry its encodings). */
  readonly message: HubMessage | undefined;
  // The common case is one protocol: keep it in two fields and only allocate a map for more.
  #firstName: string | undefined;
  #firstBytes: Uint8Array | undefined;
  #others: Map<string, Uint8Array> | undefined;

  constructor(message: HubMessage | undefined, encoded?: Iterable<readonly [protocolName: string, bytes: Uint8Array]>) {
    this.message = message;
    if (encoded !== undefined) for (const [name, bytes] of encoded) this.#store(name, bytes);
  }

  /**
   * The framed bytes for `protocol`, encoding on first use.
   * @throws ProtocolError when the message cannot be encoded, or HubError when it is unknown and not pre-encoded.
   */
  bytesFor(protocol: HubProtocol): Uint8Array {
    const name = protocol.name;
    if (this.#firstName === name) return this.#firstBytes!;
    const cached = this.#others?.get(name);
    if (cached !== undefined) return cached;
    if (this.message === undefined) throw new Error(`No '${name}' encoding of this message is available.`);
    const bytes = protocol.writeMessage(this.message);
    this.#store(name, bytes);
    return bytes;
  }

  #store(name: string, bytes: Uint8Array): void {
    if (this.#firstName === undefined) {
      this.#firstName = name;
      this.#firstBytes = bytes;
    } else {
      (this.#others ??= new Map()).set(name, bytes);
    }
  }
}
