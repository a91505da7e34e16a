/**
 * A throwaway self-signed TLS certificate for the optional https listener. Node can make keys and
 * signatures but not certificates, and the workspace installs no certificate package, so this
 * writes the few DER structures of an X.509 v3 certificate by hand (RFC 5280): an ECDSA P-256 key,
 * CN=localhost, SAN localhost + 127.0.0.1 + ::1. Clients must not verify it (the official runner
 * sets NODE_TLS_REJECT_UNAUTHORIZED=0, exactly as for the .NET test certificate).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface SelfSignedCertificate {
  /** PEM, as `https.createServer({ key, cert })` takes it. */
  readonly key: string;
  readonly cert: string;
}

const OID_COMMON_NAME = '2.5.4.3';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** Generates a key and a certificate valid from an hour ago for `validityDays`. */
export function createSelfSignedCertificate(commonName = 'localhost', validityDays = 30): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = Date.now();
  const name = sequence(set(sequence(objectId(OID_COMMON_NAME), utf8String(commonName))));
  const signatureAlgorithm = sequence(objectId(OID_ECDSA_WITH_SHA256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive, as RFC 5280 requires
  const altNames = sequence(
    tagged(0x82, Buffer.from('localhost', 'ascii')), // dNSName
    tagged(0x87, Buffer.from([127, 0, 0, 1])), // iPAddress
    tagged(0x87, Buffer.alloc(16, 0).fill(1, 15)), // iPAddress ::1
  );
  const tbsCertificate = sequence(
    tagged(0xa0, integer(Buffer.from([2]))), // version v3
    integer(serial),
    signatureAlgorithm,
    name, // issuer = subject: self-signed
    sequence(time(new Date(now - 3_600_000)), time(new Date(now + validityDays * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tagged(0xa3, sequence(sequence(objectId(OID_SUBJECT_ALT_NAME), tagged(0x04, altNames)))),
  );
  const signature = sign('sha256', tbsCertificate, privateKey); // DER-encoded ECDSA signature
  const certificate = sequence(tbsCertificate, signatureAlgorithm, tagged(0x03, Buffer.from([0]), signature));
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: toPem('CERTIFICATE', certificate),
  };
}

function tagged(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthOf(body.length), body]);
}

function lengthOf(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const sequence = (...contents: Uint8Array[]): Buffer => tagged(0x30, ...contents);
const set = (...contents: Uint8Array[]): Buffer => tagged(0x31, ...contents);
const utf8String = (text: string): Buffer => tagged(0x0c, Buffer.from(text, 'utf8'));

/** A non-negative INTEGER from big-endian magnitude bytes. */
function integer(magnitude: Buffer): Buffer {
  const needsPad = ((magnitude[0] ?? 0) & 0x80) !== 0;
  return tagged(0x02, needsPad ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
}

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const group = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) group.unshift(0x80 | (value & 0x7f));
    bytes.push(...group);
  }
  return tagged(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 prescribes. */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z'; // YYYYMMDDHHmmssZ
  const year = date.getUTCFullYear();
  return year < 2050 ? tagged(0x17, Buffer.from(digits.slice(2), 'ascii')) : tagged(0x18, Buffer.from(digits, 'ascii'));
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
