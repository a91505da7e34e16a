/**
 * The hub handshake: one JSON text record in each direction, before any hub message. It is JSON even
 * when the hub protocol is MessagePack; binary transports carry it as UTF-8 bytes.
 */

import { ProtocolError, ProtocolErrorCode } from './errors.js';
import { decodeUtf8, parseJsonObject, type JsonObject } from './json-record.js';
import { RECORD_SEPARATOR, RECORD_SEPARATOR_CHAR, exceedsUtf8Length } from './text-message-format.js';

/** What the client asks for: `{"protocol":"json","version":1}`. */
export interface HandshakeRequest {
  /** Hub protocol name, e.g. `json` or `messagepack`. */
  readonly protocol: string;
  /** Requested protocol version (the official client sends 2 only for stateful reconnect). */
  readonly version: number;
}

/** The server's answer: `{}` on success, `{"error":"…"}` on failure. */
export interface HandshakeResponse {
  readonly error?: string;
}

/** Options for the handshake parsers. */
export interface HandshakeParseOptions {
  /**
   * Largest accepted handshake record, in UTF-8 bytes with its 0x1E separator (as .NET counts it against
   * `MaximumReceiveMessageSize`). A longer one, or an unfinished one that can no longer fit once its
   * separator arrives, throws `ERR_PROTOCOL_MESSAGE_TOO_LARGE`.
   * @default undefined (unlimited)
   */
  readonly maxHandshakeSize?: number;
}

/** A parsed handshake request and whatever followed it. */
export interface HandshakeRequestParseResult<TInput extends Uint8Array | string> {
  readonly request: HandshakeRequest;
  /** The input after the handshake's separator (a view of byte input, not a copy). */
  readonly rest: TInput;
}

/** A parsed handshake response and whatever followed it: hub messages may share its frame. */
export interface HandshakeResponseParseResult<TInput extends Uint8Array | string> {
  readonly response: HandshakeResponse;
  /** The input after the handshake's separator (a view of byte input, not a copy). */
  readonly rest: TInput;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a handshake request as the official client does: `{"protocol":…,"version":…}` + 0x1E. */
export function writeHandshakeRequest(request: HandshakeRequest): Uint8Array {
  return encoder.encode(writeHandshakeRequestText(request));
}

/** {@link writeHandshakeRequest} as a string, for text frames. */
export function writeHandshakeRequestText(request: HandshakeRequest): string {
  // A fresh object fixes the property order and drops anything else the caller's object carries.
  return JSON.stringify({ protocol: request.protocol, version: request.version }) + RECORD_SEPARATOR_CHAR;
}

/** Encodes a handshake response: `{}` + 0x1E on success, `{"error":"…"}` + 0x1E when `error` is non-empty. */
export function writeHandshakeResponse(response: HandshakeResponse): Uint8Array {
  return encoder.encode(writeHandshakeResponseText(response));
}

/** {@link writeHandshakeResponse} as a string, for text frames. */
export function writeHandshakeResponseText(response: HandshakeResponse): string {
  const error = response.error;
  return (error ? `{"error":${JSON.stringify(error)}}` : '{}') + RECORD_SEPARATOR_CHAR;
}

/**
 * Parses the first record of `input` as a handshake request.
 * @returns `undefined` while the record is incomplete (no 0x1E yet).
 * @throws ProtocolError `ERR_PROTOCOL_INVALID_HANDSHAKE` when it is malformed,
 *   `ERR_PROTOCOL_MESSAGE_TOO_LARGE` when it exceeds `maxHandshakeSize`.
 */
export function parseHandshakeRequest(
  input: Uint8Array,
  options?: HandshakeParseOptions,
): HandshakeRequestParseResult<Uint8Array> | undefined;
export function parseHandshakeRequest(
  input: string,
  options?: HandshakeParseOptions,
): HandshakeRequestParseResult<string> | undefined;
export function parseHandshakeRequest(
  input: Uint8Array | string,
  options?: HandshakeParseOptions,
): HandshakeRequestParseResult<Uint8Array | string> | undefined {
  const record = readFirstRecord(input, options?.maxHandshakeSize);
  if (record === undefined) return undefined;
  return { request: toHandshakeRequest(record.json), rest: record.rest };
}

/**
 * Parses the first record of `input` as a handshake response. Like the official client it rejects
 * a record with a `type` property: that is a hub message, so the peer skipped the handshake.
 * @returns `undefined` while the record is incomplete (no 0x1E yet).
 * @throws ProtocolError `ERR_PROTOCOL_INVALID_HANDSHAKE` or `ERR_PROTOCOL_MESSAGE_TOO_LARGE`.
 */
export function parseHandshakeResponse(
  input: Uint8Array,
  options?: HandshakeParseOptions,
): HandshakeResponseParseResult<Uint8Array> | undefined;
export function parseHandshakeResponse(
  input: string,
  options?: HandshakeParseOptions,
): HandshakeResponseParseResult<string> | undefined;
export function parseHandshakeResponse(
  input: Uint8Array | string,
  options?: HandshakeParseOptions,
): HandshakeResponseParseResult<Uint8Array | string> | undefined {
  const record = readFirstRecord(input, options?.maxHandshakeSize);
  if (record === undefined) return undefined;
  return { response: toHandshakeResponse(record.json), rest: record.rest };
}

function toHandshakeRequest(json: JsonObject): HandshakeRequest {
  const protocol = json['protocol'];
  const version = json['version'];
  if (protocol === undefined) throw invalidHandshake("Missing required property 'protocol'.");
  if (typeof protocol !== 'string') throw invalidHandshake("Expected 'protocol' to be of type String.");
  // .NET reads `"version":null` as absent.
  if (version === undefined || version === null) throw invalidHandshake("Missing required property 'version'.");
  if (typeof version !== 'number') throw invalidHandshake("Expected 'version' to be of type Number.");
  if (!Number.isInteger(version)) throw invalidHandshake("Expected 'version' to be an integer.");
  return { protocol, version };
}

function toHandshakeResponse(json: JsonObject): HandshakeResponse {
  if (json['type'] !== undefined) throw invalidHandshake('Expected a handshake response from the server.');
  const error = json['error'];
  if (error === undefined) return {};
  if (typeof error !== 'string') throw invalidHandshake("Expected 'error' to be of type String.");
  return { error };
}

/** Finds, size-checks and parses the first record; `undefined` when it has not ended yet. */
function readFirstRecord(
  input: Uint8Array | string,
  maxSize: number | undefined,
): { json: JsonObject; rest: Uint8Array | string } | undefined {
  let text: string;
  let rest: Uint8Array | string;
  if (typeof input === 'string') {
    const end = input.indexOf(RECORD_SEPARATOR_CHAR);
    const candidate = end === -1 ? input : input.slice(0, end);
    // The separator counts too: the record itself may take one byte less than the limit.
    if (maxSize !== undefined && (end !== -1 || candidate.length > 0) && exceedsUtf8Length(candidate, maxSize - 1)) {
      throw handshakeTooLarge(maxSize);
    }
    if (end === -1) return undefined;
    text = candidate;
    rest = input.slice(end + 1);
  } else {
    const end = input.indexOf(RECORD_SEPARATOR);
    const length = end === -1 ? input.length : end;
    if (maxSize !== undefined && (end !== -1 || length > 0) && length >= maxSize) throw handshakeTooLarge(maxSize);
    if (end === -1) return undefined;
    text = decodeUtf8(decoder, input.subarray(0, end), ProtocolErrorCode.InvalidHandshake, 'handshake');
    rest = input.subarray(end + 1);
  }
  const json = parseJsonObject(text, ProtocolErrorCode.InvalidHandshake, ProtocolErrorCode.InvalidHandshake);
  return { json, rest };
}

function invalidHandshake(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidHandshake, message);
}

function handshakeTooLarge(maxSize: number): ProtocolError {
  // The server answers this with .NET's "Handshake was canceled."; the text here is for logs.
  return new ProtocolError(ProtocolErrorCode.MessageTooLarge, `The handshake exceeded the maximum size of ${maxSize}B.`);
}
