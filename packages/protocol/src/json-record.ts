/**
 * Reading one JSON text record into an object, with the .NET server's error texts. Shared by the
 * handshake and the JSON hub protocol; internal to the package.
 */

import { ProtocolError, type ProtocolErrorCode } from './errors.js';

/** A decoded JSON object: property values are still unchecked. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The part of a `TextDecoder` used here (Node's typings declare TextDecoder as a value only). */
export interface Utf8Decoder {
  decode(input: Uint8Array): string;
}

/** Decodes UTF-8 with a `fatal` decoder, turning its TypeError into a ProtocolError. */
export function decodeUtf8(decoder: Utf8Decoder, bytes: Uint8Array, code: ProtocolErrorCode, what: string): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new ProtocolError(code, `The ${what} is not valid UTF-8.`, { cause: error });
  }
}

/**
 * Parses one record that must hold a JSON object.
 * @param syntaxCode code for text that is not JSON at all.
 * @param shapeCode code for JSON that is not an object.
 */
export function parseJsonObject(text: string, syntaxCode: ProtocolErrorCode, shapeCode: ProtocolErrorCode): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // An empty record is where .NET's reader runs out of tokens before the first one.
    const message = text.length === 0 ? 'Unexpected end when reading JSON.' : 'Error reading JSON.';
    throw new ProtocolError(syntaxCode, message, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(shapeCode, `Unexpected JSON Token Type '${jsonTokenName(value)}'. Expected a JSON Object.`);
  }
  return value as JsonObject;
}

/** The name .NET's Utf8JsonReader gives the token that starts `value` (used in its error texts). */
export function jsonTokenName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'Array';
  switch (typeof value) {
    case 'string':
      return 'String';
    case 'number':
      return 'Number';
    case 'boolean':
      return value ? 'True' : 'False';
    case 'object':
      return 'Object';
    default:
      return 'None';
  }
}
