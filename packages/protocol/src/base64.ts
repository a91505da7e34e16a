/** Standard base64 (RFC 4648 §4, with padding), the form .NET's JSON serializer writes for `byte[]`. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));
const PAD = 0x3d; // '='
/** Characters per String.fromCharCode call: large enough to be fast, small enough for the argument limit. */
const CHUNK_CHARS = 0x4000;

/** Encodes `bytes` as base64. Pure JS (no Buffer, no btoa), so it runs in browsers and workers alike. */
export function encodeBase64(bytes: Uint8Array): string {
  const length = bytes.length;
  const out = new Uint8Array(Math.ceil(length / 3) * 4);
  let o = 0;
  let i = 0;
  for (const whole = length - (length % 3); i < whole; i += 3) {
    const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODES[triple >>> 18]!;
    out[o++] = CODES[(triple >>> 12) & 63]!;
    out[o++] = CODES[(triple >>> 6) & 63]!;
    out[o++] = CODES[triple & 63]!;
  }
  const left = length - i;
  if (left > 0) {
    const first = bytes[i]!;
    const second = left === 2 ? bytes[i + 1]! : 0;
    out[o++] = CODES[first >>> 2]!;
    out[o++] = CODES[((first & 3) << 4) | (second >>> 4)]!;
    out[o++] = left === 2 ? CODES[(second & 15) << 2]! : PAD;
    out[o++] = PAD;
  }
  let text = '';
  for (let start = 0; start < out.length; start += CHUNK_CHARS) {
    // apply() takes the typed array as it is; spreading it would iterate it element by element.
    text += String.fromCharCode.apply(null, out.subarray(start, start + CHUNK_CHARS) as unknown as number[]);
  }
  return text;
}
