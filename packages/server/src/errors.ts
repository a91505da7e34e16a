/**
 * Errors of the hub layer. {@link HubException} is the one a hub throws to show its message to the
 * client; {@link HubError} carries a stable `code` (listed in docs/errors.md) for everything the server
 * itself rejects.
 */

/**
 * Thrown by a hub method to send its message to the caller even without detailed errors, as .NET's
 * `HubException`: the client sees "An unexpected error occurred invoking 'x' on the server. HubException: {message}".
 * Also what a hub method sees when a client fails an upload stream or a client result.
 */
export class HubException extends Error {
  override readonly name: string = 'HubException';
}

export const HubErrorCode = {
  /** Two hub methods differ only by case, or a method name is not callable (mapHub). */
  InvalidHub: 'ERR_HUB_INVALID_HUB',
  /** An option is out of range (mapHub / new Switchyard). */
  InvalidOption: 'ERR_HUB_INVALID_OPTION',
  /** `hubContext(Hub)` for a hub class that was never mapped. */
  HubNotMapped: 'ERR_HUB_NOT_MAPPED',
  /** A client result was requested from a connection that does not exist (here or, with a backplane, anywhere). */
  ConnectionNotFound: 'ERR_HUB_CONNECTION_NOT_FOUND',
  /** The connection ended before it answered a client result. */
  ConnectionDisconnected: 'ERR_HUB_CONNECTION_DISCONNECTED',
  /** The client did not answer a client result within `clientResultTimeoutMs`. */
  ClientResultTimeout: 'ERR_HUB_CLIENT_RESULT_TIMEOUT',
  /** `invoke` from `onConnected` (the client cannot answer before the connection is established). */
  InvokeNotAllowed: 'ERR_HUB_INVOKE_NOT_ALLOWED',
  /** An upload stream was still open when its connection closed. */
  StreamAborted: 'ERR_HUB_STREAM_ABORTED',
  /** `this.context` / `this.clients` used in a hub constructor, before the server attached the hub. */
  HubNotAttached: 'ERR_HUB_NOT_ATTACHED',
  /** The app is closing or closed: no new hub connections, no new mapHub. */
  Closed: 'ERR_HUB_CLOSED',
  /**
   * The backplane could not carry a request that needs an answer from another server (a group change
   * or client result for a connection held elsewhere): the broker is unreachable. `cause` is its error.
   */
  BackplaneUnavailable: 'ERR_HUB_BACKPLANE_UNAVAILABLE',
  /** No server acknowledged a group change within `backplaneAckTimeoutMs` (no server holds the connection). */
  BackplaneTimeout: 'ERR_HUB_BACKPLANE_TIMEOUT',
  /** A client invoked faster than `invocationRateLimit` allows (a {@link HubLimitException}). */
  RateLimited: 'ERR_HUB_RATE_LIMITED',
  /** `groups.add` beyond `maximumGroupsPerConnection` (a {@link HubLimitException}). */
  TooManyGroups: 'ERR_HUB_TOO_MANY_GROUPS',
  /** The connection's credentials expired (`Principal.expiresAt`), so it was closed (a {@link HubLimitException}). */
  AuthenticationExpired: 'ERR_HUB_AUTHENTICATION_EXPIRED',
} as const;
export type HubErrorCode = (typeof HubErrorCode)[keyof typeof HubErrorCode];

/**
 * An error raised by the hub layer itself. `name` follows the .NET exception where one exists
 * (`IOException` for a vanished connection), because detailed error texts include it.
 */
export class HubError extends Error {
  override readonly name: string;
  readonly code: HubErrorCode;

  constructor(code: HubErrorCode, message: string, name = 'HubError', options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = name;
  }
}

/**
 * A limit or policy of the server refused something: a {@link HubException} (so clients see its message
 * even without detailed errors: "HubException: …") with a stable `code`. Thrown to hub code by
 * `groups.add` beyond `maximumGroupsPerConnection`; passed to `onDisconnected` when the server closes a
 * connection for its rate or its expired credentials.
 */
export class HubLimitException extends HubException {
  readonly code: HubErrorCode;

  constructor(code: HubErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** True when `error` is a {@link HubError}, optionally with the given code. */
export function isHubError(error: unknown, code?: HubErrorCode): error is HubError {
  return error instanceof HubError && (code === undefined || error.code === code);
}
