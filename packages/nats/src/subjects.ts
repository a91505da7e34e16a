import { createHash } from 'node:crypto';
import type { Channel } from '@switchyard/server';

/** Longest escaped name kept readable; longer ones become a hash (NATS limits a protocol line to 4 KiB). */
const MAX_TOKEN_LENGTH = 200;

/**
 * One subject token for any string, injectively. A NATS token cannot hold `.`, `*`, `>` or white
 * space and cannot be empty, so everything outside printable ASCII, those characters and `%` itself
 * become `%XX` (UTF-8 bytes, upper-case hex), a leading `~` becomes `%7E`, the empty string becomes a
 * lone `%`, and a name escaping to more than 200 characters becomes `~` + its SHA-256 (base64url).
 */
export function subjectToken(name: string): string {
  if (name === '') return '%';
  let token = /^[!-$&-)+-\-/-=?-~]+$/.test(name) && !name.startsWith('~') ? name : escape(name);
  if (token.length > MAX_TOKEN_LENGTH) token = `~${createHash('sha256').update(name, 'utf8').digest('base64url')}`;
  return token;
}

function escape(name: string): string {
  let token = '';
  const bytes = Buffer.from(name, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const plain = byte > 0x20 && byte < 0x7f && byte !== 0x2e && byte !== 0x2a && byte !== 0x3e && byte !== 0x25 && !(i === 0 && byte === 0x7e);
    token += plain ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return token;
}

/**
 * The subject of a backplane channel: `{prefix}.{hub}.all`, `.group.{name}`, `.user.{id}`,
 * `.connection.{id}`, `.internal.groups`, `.internal.ack.{server}`, `.internal.return.{server}`
 * (the words of ASP.NET Core's Redis scheme, each name one escaped token).
 */
export function natsSubject(channel: Channel, prefix = 'switchyard'): string {
  const base = `${prefix}.${subjectToken(channel.hub)}`;
  switch (channel.kind) {
    case 'all':
      return `${base}.all`;
    case 'group':
      return `${base}.group.${subjectToken(channel.group)}`;
    case 'user':
      return `${base}.user.${subjectToken(channel.userId)}`;
    case 'connection':
      return `${base}.connection.${subjectToken(channel.connectionId)}`;
    case 'groupCommands':
      return `${base}.internal.groups`;
    case 'ack':
      return `${base}.internal.ack.${subjectToken(channel.serverId)}`;
    case 'return':
      return `${base}.internal.return.${subjectToken(channel.serverId)}`;
  }
}

/** True for a usable prefix: one or more plain tokens separated by dots (no wildcards, no spaces). */
export function isValidSubjectPrefix(prefix: string): boolean {
  return /^[!-)+-\-/-=?-~]+(\.[!-)+-\-/-=?-~]+)*$/.test(prefix);
}
