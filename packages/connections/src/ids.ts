import { randomBytes } from 'node:crypto';

/** A connection's public id and its secret token (equal for negotiate version 0). */
export interface ConnectionIds {
  readonly connectionId: string;
  readonly connectionToken: string;
}

/**
 * Two independent 16-byte CSPRNG values, base64url without padding (22 chars each), as ASP.NET Core's
 * `MakeNewConnectionId`. One `randomBytes` call serves both. Version 0 has no separate token: the id is
 * then the token, exactly as the .NET server does.
 */
export function newConnectionIds(separateToken: boolean): ConnectionIds {
  const bytes = randomBytes(separateToken ? 32 : 16);
  const connectionId = bytes.toString('base64url', 0, 16);
  return { connectionId, connectionToken: separateToken ? bytes.toString('base64url', 16, 32) : connectionId };
}
