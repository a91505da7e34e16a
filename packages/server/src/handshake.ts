/**
 * The server side of the hub handshake: the first record from the client names the hub protocol. The
 * record is JSON + 0x1E even on binary transports. Every rejection text is .NET's.
 */
import type { Connection } from '@switchyard/connections';
import { parseHandshakeRequest, ProtocolErrorCode, isProtocolError, type HubProtocol } from '@switchyard/protocol';
import {
  HANDSHAKE_CANCELED,
  HANDSHAKE_FAILED,
  buildErrorMessage,
  protocolNotSupported,
  transferFormatNotSupported,
  versionNotSupported,
} from './error-messages.js';

export type HandshakeOutcome =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'accepted'; readonly protocol: HubProtocol; readonly version: number; readonly rest: Uint8Array }
  | { readonly kind: 'rejected'; readonly error: string; readonly cause?: unknown };

const INCOMPLETE: HandshakeOutcome = Object.freeze({ kind: 'incomplete' });

export interface HandshakeSettings {
  readonly protocols: readonly HubProtocol[];
  /** `maximumReceiveMessageSize`: a longer handshake is refused with "Handshake was canceled.", as in .NET. */
  readonly maxSize: number | null;
  readonly detailedErrors: boolean;
}

/** Reads the handshake request at the start of `input` and decides on it. */
export function readHandshake(input: Uint8Array, connection: Connection, settings: HandshakeSettings): HandshakeOutcome {
  let parsed;
  try {
    parsed = parseHandshakeRequest(input, { maxHandshakeSize: settings.maxSize ?? undefined });
  } catch (error) {
    if (isProtocolError(error) && error.code === ProtocolErrorCode.MessageTooLarge) {
      return { kind: 'rejected', error: HANDSHAKE_CANCELED, cause: error };
    }
    return { kind: 'rejected', error: buildErrorMessage(HANDSHAKE_FAILED, error, settings.detailedErrors), cause: error };
  }
  if (parsed === undefined) return INCOMPLETE;

  const { protocol: name, version } = parsed.request;
  const protocol = findProtocol(settings.protocols, name);
  if (protocol === undefined) return { kind: 'rejected', error: protocolNotSupported(name) };
  // .NET's IsVersionSupported: any version up to the protocol's own.
  if (version > protocol.version) return { kind: 'rejected', error: versionNotSupported(version, name) };
  if (protocol.transferFormat === 'Binary' && !connection.supportsBinary) {
    return { kind: 'rejected', error: transferFormatNotSupported(protocol.name, protocol.transferFormat) };
  }
  return { kind: 'accepted', protocol, version, rest: parsed.rest };
}

/** Protocol names match case-insensitively, as .NET's protocol resolver does. */
function findProtocol(protocols: readonly HubProtocol[], name: string): HubProtocol | undefined {
  for (const protocol of protocols) if (protocol.name === name) return protocol;
  const folded = name.toLowerCase();
  for (const protocol of protocols) if (protocol.name.toLowerCase() === folded) return protocol;
  return undefined;
}
