/** Byte helpers for tests: spec examples are written as hex strings, as in HubProtocol.md. */
import { writeBinaryFrame } from '@switchyard/protocol';

/** `'91 06'` → bytes. */
export function fromHex(hex: string): Uint8Array {
  const digits = hex.replace(/\s+/g, '');
  if (digits.length % 2 !== 0) throw new Error(`odd hex length: ${hex}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Bytes → `'91 06'` (upper case), for readable assertion failures. */
export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

/** A spec body (hex) with its VarInt length prefix. */
export function framed(hexBody: string): Uint8Array {
  return writeBinaryFrame(fromHex(hexBody));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
