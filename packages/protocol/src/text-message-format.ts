/**
 * Record-separator framing used by the JSON hub protocol and by every handshake: each record is a
 * UTF-8 text followed by 0x1E. 0x1E is ASCII, so it never occurs inside a multi-byte UTF-8 sequence,
 * and splitting bytes or splitting the decoded string gives the same records.
 */

import { createMessageTooLargeError } from './errors.js';

/** The byte that ends every text record. */
export const RECORD_SEPARATOR = 0x1e;
/** {@link RECORD_SEPARATOR} as a one-character string, for text frames. */
export const RECORD_SEPARATOR_CHAR = '\u001e';

/** Options for {@link splitRecords} and {@link forEachRecord}. */
export interface SplitRecordsOptions {
  /**
   * Largest accepted record in UTF-8 bytes, its 0x1E separator included (as .NET counts a JSON
   * message against `MaximumReceiveMessageSize`): a record of `maxRecordSize - 1` bytes is the longest
   * that passes. A longer record, or an unfinished remainder that can no longer fit once its separator
   * arrives, throws `ERR_PROTOCOL_MESSAGE_TOO_LARGE`.
   * @default undefined (unlimited)
   */
  readonly maxRecordSize?: number;
}

/** The complete records of an input (separators removed) and its unfinished remainder. */
export interface SplitRecordsResult<T extends Uint8Array | string> {
  readonly records: T[];
  /** Everything after the last separator; empty when the input ended with one. */
  readonly rest: T;
}

/** Appends the record separator: a copy for bytes, a new string for text. */
export function writeRecord(payload: Uint8Array): Uint8Array;
export function writeRecord(payload: string): string;
export function writeRecord(payload: Uint8Array | string): Uint8Array | string {
  if (typeof payload === 'string') return payload + RECORD_SEPARATOR_CHAR;
  const framed = new Uint8Array(payload.length + 1);
  framed.set(payload);
  framed[payload.length] = RECORD_SEPARATOR;
  return framed;
}

/**
 * Splits `input` at every record separator. Byte records and the byte rest are views of `input`
 * (no copy): copy them before reusing the input buffer.
 * @throws ProtocolError `ERR_PROTOCOL_MESSAGE_TOO_LARGE` when a record or the rest is too long.
 */
export function splitRecords(input: Uint8Array, options?: SplitRecordsOptions): SplitRecordsResult<Uint8Array>;
export function splitRecords(input: string, options?: SplitRecordsOptions): SplitRecordsResult<string>;
export function splitRecords(
  input: Uint8Array | string,
  options?: SplitRecordsOptions,
): SplitRecordsResult<Uint8Array> | SplitRecordsResult<string> {
  const maxRecordSize = options?.maxRecordSize;
  if (typeof input === 'string') {
    const records: string[] = [];
    const rest = forEachTextRecord(input, maxRecordSize, (record) => records.push(record));
    return { records, rest };
  }
  const records: Uint8Array[] = [];
  const rest = forEachByteRecord(input, maxRecordSize, (record) => records.push(record));
  return { records, rest };
}

/**
 * Calls `visit` with each complete record of `input` (separator removed), in order, and returns the
 * unfinished rest. Unlike {@link splitRecords}, a record is handled before the next one is size-checked,
 * so when a later record is refused (or `visit` throws) the earlier ones have already been seen, as
 * .NET reads them. Byte records and the byte rest are views of `input`.
 * @throws ProtocolError `ERR_PROTOCOL_MESSAGE_TOO_LARGE` when a record or the rest is too long.
 */
export function forEachRecord(
  input: Uint8Array,
  options: SplitRecordsOptions | undefined,
  visit: (record: Uint8Array) => void,
): Uint8Array;
export function forEachRecord(input: string, options: SplitRecordsOptions | undefined, visit: (record: string) => void): string;
export function forEachRecord(
  input: Uint8Array | string,
  options: SplitRecordsOptions | undefined,
  visit: ((record: Uint8Array) => void) | ((record: string) => void),
): Uint8Array | string {
  // The overloads pair a string input with a string visitor and bytes with bytes.
  return typeof input === 'string'
    ? forEachTextRecord(input, options?.maxRecordSize, visit as (record: string) => void)
    : forEachByteRecord(input, options?.maxRecordSize, visit as (record: Uint8Array) => void);
}

function forEachByteRecord(input: Uint8Array, maxRecordSize: number | undefined, visit: (record: Uint8Array) => void): Uint8Array {
  let start = 0;
  for (let end = input.indexOf(RECORD_SEPARATOR); end !== -1; end = input.indexOf(RECORD_SEPARATOR, start)) {
    // `end - start` bytes plus the separator.
    if (maxRecordSize !== undefined && end - start >= maxRecordSize) throw createMessageTooLargeError(maxRecordSize);
    visit(input.subarray(start, end));
    start = end + 1;
  }
  // An unfinished record that already fills the limit cannot fit once its separator arrives: fail now
  // instead of buffering it.
  if (maxRecordSize !== undefined && start < input.length && input.length - start >= maxRecordSize) {
    throw createMessageTooLargeError(maxRecordSize);
  }
  return start === 0 ? input : input.subarray(start);
}

function forEachTextRecord(input: string, maxRecordSize: number | undefined, visit: (record: string) => void): string {
  let start = 0;
  for (let end = input.indexOf(RECORD_SEPARATOR_CHAR); end !== -1; end = input.indexOf(RECORD_SEPARATOR_CHAR, start)) {
    const record = input.slice(start, end);
    if (maxRecordSize !== undefined && exceedsUtf8Length(record, maxRecordSize - 1)) {
      throw createMessageTooLargeError(maxRecordSize);
    }
    visit(record);
    start = end + 1;
  }
  const rest = start === 0 ? input : input.slice(start);
  if (maxRecordSize !== undefined && rest.length > 0 && exceedsUtf8Length(rest, maxRecordSize - 1)) {
    throw createMessageTooLargeError(maxRecordSize);
  }
  return rest;
}

/**
 * True when `text` encodes to more than `maxBytes` UTF-8 bytes. Counts only when it must: a UTF-16
 * unit takes 1 to 3 bytes, so the length alone settles short and long texts.
 */
export function exceedsUtf8Length(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  if (text.length * 3 <= maxBytes) return false;
  return utf8ByteLength(text) > maxBytes;
}

/** The number of bytes `TextEncoder` produces for `text` (a lone surrogate becomes 3-byte U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A surrogate pair: two units, four bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
