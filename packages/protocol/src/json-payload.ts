/**
 * JSON text for user values (arguments, stream items, results), mapped like .NET's default
 * serializer so the official client sees what an ASP.NET Core server would send:
 * - `Uint8Array` (and `Buffer`) → base64 string, as `byte[]`;
 * - `Date` → ISO-8601 UTC without trailing zero fraction digits, as `DateTime`
 *   (`2000-01-01T00:00:00Z`, `2000-01-01T00:00:00.12Z`); an invalid Date → `null`.
 * Everything else is plain `JSON.stringify`.
 */

import { encodeBase64 } from './base64.js';
import { ProtocolError, ProtocolErrorCode } from './errors.js';

/**
 * Below this depth the pre-scan gives up and lets the (slower, always correct) replacer decide,
 * which also bounds the scan on cyclic values.
 */
const MAX_SCAN_DEPTH = 32;

/**
 * JSON text for one user value; never `undefined` (a top-level `undefined`, function or symbol
 * becomes `null`, as inside arrays).
 * @throws ProtocolError `ERR_PROTOCOL_UNSERIALIZABLE_VALUE` for cycles and `bigint`s.
 */
export function stringifyPayload(value: unknown): string {
  let json: string | undefined;
  try {
    // A replacer forces V8 off its fast serializer (about 3x slower), so it only runs when a quick
    // scan finds a value that needs mapping.
    json = needsMapping(value, 0) ? JSON.stringify(value, mapPayloadValue) : JSON.stringify(value);
  } catch (error) {
    throw new ProtocolError(
      ProtocolErrorCode.UnserializableValue,
      `The value cannot be serialized as JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return json ?? 'null';
}

/** Formats a Date the way .NET writes a UTC DateTime; `null` for an invalid Date (like `toJSON`). */
export function formatDate(date: Date): string | null {
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString(); // …THH:mm:ss.sssZ
  const zone = iso.length - 1;
  const dot = zone - 4;
  let end = zone;
  while (end > dot + 1 && iso.charCodeAt(end - 1) === 0x30 /* '0' */) end--;
  if (end === dot + 1) end = dot; // every fraction digit was zero: drop the dot too
  return `${iso.slice(0, end)}Z`;
}

/**
 * The replacer. JSON.stringify calls `toJSON` before the replacer sees a value (a Date arrives as
 * its ISO string, a Buffer as `{type, data}`), so the raw value is read from the holder, `this[key]`.
 */
function mapPayloadValue(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Date) return formatDate(raw);
  if (raw instanceof Uint8Array) return encodeBase64(raw);
  // A custom toJSON may itself return bytes.
  if (value instanceof Uint8Array) return encodeBase64(value);
  return value;
}

/** True when `value` contains something plain JSON.stringify would write differently from .NET. */
function needsMapping(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Dates, Buffers and any toJSON (which may return either) take the replacer path.
  if (depth > MAX_SCAN_DEPTH || value instanceof Date || value instanceof Uint8Array) return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (needsMapping(value[i], depth + 1)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (needsMapping(record[key], depth + 1)) return true;
  }
  return false;
}
