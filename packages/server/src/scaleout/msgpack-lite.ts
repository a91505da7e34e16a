/**
 * The few MessagePack types backplane envelopes use (arrays, string-keyed maps, strings, binaries,
 * unsigned integers, nil), written and read without a general-purpose codec: envelopes are built once
 * per cross-server message and read once per receiving server, so both sides stay allocation-light
 * (a read binary is a view of the payload, never a copy).
 */

/** Malformed or unexpected MessagePack in a backplane payload. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/** Appends MessagePack values to a growing buffer. */
export class MsgpackWriter {
  #buffer: Buffer;
  #offset = 0;

  constructor(initialBytes = 256) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
  }

  arrayHeader(length: number): this {
    if (length < 16) return this.#byte(0x90 | length);
    if (length < 0x10000) return this.#byte(0xdc).#uint16(length);
    return this.#byte(0xdd).#uint32(length);
  }

  mapHeader(length: number): this {
    if (length < 16) return this.#byte(0x80 | length);
    if (length < 0x10000) return this.#byte(0xde).#uint16(length);
    return this.#byte(0xdf).#uint32(length);
  }

  nil(): this {
    return this.#byte(0xc0);
  }

  /** A non-negative integer below 2^32. */
  uint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new EnvelopeError(`Not a uint32: ${value}`);
    if (value < 0x80) return this.#byte(value);
    if (value < 0x100) return this.#byte(0xcc).#byte(value);
    if (value < 0x10000) return this.#byte(0xcd).#uint16(value);
    return this.#byte(0xce).#uint32(value);
  }

  string(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    if (length < 32) this.#byte(0xa0 | length);
    else if (length < 0x100) this.#byte(0xd9).#byte(length);
    else if (length < 0x10000) this.#byte(0xda).#uint16(length);
    else this.#byte(0xdb).#uint32(length);
    this.#reserve(length);
    this.#offset += this.#buffer.write(value, this.#offset, length, 'utf8');
    return this;
  }

  binary(value: Uint8Array): this {
    const length = value.byteLength;
    if (length < 0x100) this.#byte(0xc4).#byte(length);
    else if (length < 0x10000) this.#byte(0xc5).#uint16(length);
    else this.#byte(0xc6).#uint32(length);
    this.#reserve(length);
    this.#buffer.set(value, this.#offset);
    this.#offset += length;
    return this;
  }

  /** The bytes written so far (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.#buffer.subarray(0, this.#offset);
  }

  #byte(value: number): this {
    this.#reserve(1);
    this.#buffer[this.#offset++] = value;
    return this;
  }

  #uint16(value: number): this {
    this.#reserve(2);
    this.#offset = this.#buffer.writeUInt16BE(value, this.#offset);
    return this;
  }

  #uint32(value: number): this {
    this.#reserve(4);
    this.#offset = this.#buffer.writeUInt32BE(value, this.#offset);
    return this;
  }

  #reserve(bytes: number): void {
    const needed = this.#offset + bytes;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#offset);
    this.#buffer = grown;
  }
}

/** Reads MessagePack values from a payload, front to back. Every method throws {@link EnvelopeError}. */
export class MsgpackReader {
  readonly #bytes: Buffer;
  #offset = 0;

  constructor(payload: Uint8Array) {
    this.#bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }

  /** True when the next value is nil (and consumes it). */
  nil(): boolean {
    if (this.#peek() !== 0xc0) return false;
    this.#offset++;
    return true;
  }

  arrayHeader(): number {
    const type = this.#next();
    if ((type & 0xf0) === 0x90) return type & 0x0f;
    if (type === 0xdc) return this.#uint16();
    if (type === 0xdd) return this.#uint32();
    throw this.#unexpected(type, 'an array');
  }

  mapHeader(): number {
    const type = this.#next();
    if ((type & 0xf0) === 0x80) return type & 0x0f;
    if (type === 0xde) return this.#uint16();
    if (type === 0xdf) return this.#uint32();
    throw this.#unexpected(type, 'a map');
  }

  /** A non-negative integer (any MessagePack integer encoding up to 32 bits, as .NET writes int32). */
  uint(): number {
    const type = this.#next();
    let value: number;
    if (type < 0x80) value = type;
    else if (type === 0xcc || type === 0xd0) value = type === 0xcc ? this.#next() : this.#bytes.readInt8(this.#advance(1));
    else if (type === 0xcd) value = this.#uint16();
    else if (type === 0xce) value = this.#uint32();
    else if (type === 0xd1) value = this.#bytes.readInt16BE(this.#advance(2));
    else if (type === 0xd2) value = this.#bytes.readInt32BE(this.#advance(4));
    else throw this.#unexpected(type, 'an integer');
    if (value < 0) throw new EnvelopeError(`Expected a non-negative integer, got ${value}`);
    return value;
  }

  string(): string {
    const type = this.#next();
    let length: number;
    if ((type & 0xe0) === 0xa0) length = type & 0x1f;
    else if (type === 0xd9) length = this.#next();
    else if (type === 0xda) length = this.#uint16();
    else if (type === 0xdb) length = this.#uint32();
    else throw this.#unexpected(type, 'a string');
    const start = this.#advance(length);
    return this.#bytes.toString('utf8', start, start + length);
  }

  /** A view of the payload's bytes (no copy). */
  binary(): Uint8Array {
    const type = this.#next();
    let length: number;
    if (type === 0xc4) length = this.#next();
    else if (type === 0xc5) length = this.#uint16();
    else if (type === 0xc6) length = this.#uint32();
    else throw this.#unexpected(type, 'a binary');
    const start = this.#advance(length);
    return this.#bytes.subarray(start, start + length);
  }

  #peek(): number {
    if (this.#offset >= this.#bytes.length) throw new EnvelopeError('Payload ended early');
    return this.#bytes[this.#offset]!;
  }

  #next(): number {
    const value = this.#peek();
    this.#offset++;
    return value;
  }

  #uint16(): number {
    return this.#bytes.readUInt16BE(this.#advance(2));
  }

  #uint32(): number {
    return this.#bytes.readUInt32BE(this.#advance(4));
  }

  /** Moves past `length` bytes and returns where they start. */
  #advance(length: number): number {
    const start = this.#offset;
    if (start + length > this.#bytes.length) throw new EnvelopeError('Payload ended early');
    this.#offset = start + length;
    return start;
  }

  #unexpected(type: number, expected: string): EnvelopeError {
    return new EnvelopeError(`Expected ${expected}, got MessagePack type 0x${type.toString(16).padStart(2, '0')}`);
  }
}
