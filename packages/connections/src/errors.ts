/**
 * Typed errors of the connections layer. Every `code` is stable and listed in docs/errors.md
 * ("Connection errors"). They reach application code in two ways: thrown synchronously for a bad
 * configuration, or passed to `ConnectionListener.onClose(error)` when a connection ends abnormally.
 */

export const ConnectionsErrorCode = {
  /** An option or argument has an invalid value (thrown by the endpoint or router constructor/mapping). */
  InvalidOption: 'ERR_CONNECTION_INVALID_OPTION',
  /** Two endpoints were mapped to the same path (paths compare case-insensitively). */
  PathConflict: 'ERR_CONNECTION_PATH_CONFLICT',
  /** Thrown by an `authenticate` hook to reject a request with 401 or 403 (see {@link AccessDeniedError}). */
  AccessDenied: 'ERR_CONNECTION_ACCESS_DENIED',
  /** The socket failed or was dropped without a clean close (WebSocket without close handshake, write error). */
  TransportFailed: 'ERR_CONNECTION_TRANSPORT_FAILED',
  /** One write to the transport took longer than `transportSendTimeoutMs`. */
  SendTimeout: 'ERR_CONNECTION_SEND_TIMEOUT',
  /** Queued outbound bytes would exceed `maxBufferedBytes` (a slow or stalled client); the connection is closed. */
  BufferFull: 'ERR_CONNECTION_BUFFER_FULL',
  /** An inbound WebSocket message or POST body was larger than `maxRequestBodyBytes`. */
  MessageTooLarge: 'ERR_CONNECTION_MESSAGE_TOO_LARGE',
  /** The connection had no active transport request for longer than `disconnectTimeoutMs` (long polling stopped). */
  DisconnectTimeout: 'ERR_CONNECTION_DISCONNECT_TIMEOUT',
  /** The `ConnectionHandler` or the listener's `onData` threw; the connection is closed. */
  HandlerFailed: 'ERR_CONNECTION_HANDLER_FAILED',
  /**
   * Refusals, never thrown or passed to onClose (the request is answered instead; docs/security.md):
   * a new connection beyond `maxConnectionsPerUser` or `maxConnectionsPerAddress` (429).
   */
  TooManyConnections: 'ERR_CONNECTION_TOO_MANY_CONNECTIONS',
  /** Refusal: a connection token presented by another user than the one who negotiated it (403). */
  ForeignToken: 'ERR_CONNECTION_FOREIGN_TOKEN',
  /** Refusal: a request whose `Origin` is outside the CORS allow-list (403). */
  OriginNotAllowed: 'ERR_CONNECTION_ORIGIN_NOT_ALLOWED',
} as const;
export type ConnectionsErrorCode = (typeof ConnectionsErrorCode)[keyof typeof ConnectionsErrorCode];

/** The one error type of the connections layer. */
export class ConnectionsError extends Error {
  override readonly name: string = 'ConnectionsError';
  readonly code: ConnectionsErrorCode;

  constructor(code: ConnectionsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Thrown by an endpoint's `authenticate` hook to refuse a request: 401 (not authenticated) or 403
 * (authenticated but not allowed). The response body is always empty.
 *
 * @example
 * authenticate: async (req) => {
 *   const token = bearerToken(req);
 *   if (token === undefined) return undefined;          // anonymous (401 when authentication is required)
 *   const user = await verify(token);
 *   if (!user.canChat) throw new AccessDeniedError(403);
 *   return { userId: user.id, claims: user.claims };
 * }
 */
export class AccessDeniedError extends ConnectionsError {
  override readonly name = 'AccessDeniedError';
  /** The HTTP status the request is answered with. */
  readonly status: 401 | 403;

  constructor(status: 401 | 403 = 403, message = status === 401 ? 'Unauthorized' : 'Forbidden') {
    super(ConnectionsErrorCode.AccessDenied, message);
    this.status = status;
  }
}

/** True when `error` is a {@link ConnectionsError}. */
export function isConnectionsError(error: unknown): error is ConnectionsError {
  return error instanceof ConnectionsError;
}
