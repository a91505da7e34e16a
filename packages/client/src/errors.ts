/**
 * Typed client errors. Every `code` is stable and listed in docs/errors.md ("Client errors"); match
 * on the code, not the message. Messages copy the official client's texts where one exists, because
 * people search for them.
 */

export const ClientErrorCode = {
  /** An option is missing or out of range (thrown by the constructor or the builder). */
  InvalidOption: 'ERR_CLIENT_INVALID_OPTION',
  /** The call does not fit the connection's state: `start()` twice, a stream iterated twice. */
  InvalidState: 'ERR_CLIENT_INVALID_STATE',
  /** `invoke`, `send` or `stream` while the connection is not connected. */
  NotConnected: 'ERR_CLIENT_NOT_CONNECTED',
  /** Negotiate failed: HTTP or network error, an `error` answer, a malformed body, too many redirects. */
  NegotiateFailed: 'ERR_CLIENT_NEGOTIATE_FAILED',
  /** A transport was skipped: disabled by the client, unsupported here, or lacking the transfer format. */
  TransportUnavailable: 'ERR_CLIENT_TRANSPORT_UNAVAILABLE',
  /** A transport failed to start. */
  TransportFailed: 'ERR_CLIENT_TRANSPORT_FAILED',
  /** Every transport was skipped or failed; `errors` holds one error per transport. */
  NoTransport: 'ERR_CLIENT_NO_TRANSPORT',
  /** A started transport was lost: WebSocket closed abnormally, event stream ended, poll failed. */
  TransportClosed: 'ERR_CLIENT_TRANSPORT_CLOSED',
  /** An HTTP request was answered with a non-success status (`statusCode`). */
  HttpStatus: 'ERR_CLIENT_HTTP_STATUS',
  /** An HTTP request took longer than `requestTimeoutMs`. */
  RequestTimeout: 'ERR_CLIENT_REQUEST_TIMEOUT',
  /** The server refused the handshake, or answered something that is not a handshake response. */
  HandshakeFailed: 'ERR_CLIENT_HANDSHAKE_FAILED',
  /** Nothing arrived from the server for `serverTimeoutMs`. */
  ServerTimeout: 'ERR_CLIENT_SERVER_TIMEOUT',
  /** The server sent a Close message (with or without an error). */
  ServerClosed: 'ERR_CLIENT_SERVER_CLOSED',
  /** The server answered an invocation or a stream with an error; the message is the server's text. */
  HubError: 'ERR_CLIENT_HUB_ERROR',
  /** The connection closed while an invocation, stream or upload was pending. */
  ConnectionClosed: 'ERR_CLIENT_CONNECTION_CLOSED',
  /** `stop()` was called while `start()` was still running. */
  Aborted: 'ERR_CLIENT_ABORTED',
  /** Automatic reconnect gave up; `cause` is the last attempt's error. */
  ReconnectFailed: 'ERR_CLIENT_RECONNECT_FAILED',
  /** Stateful reconnect: the server resumed from a sequence id we never received. */
  SequenceMismatch: 'ERR_CLIENT_SEQUENCE_MISMATCH',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Extra fields of a {@link ClientError}. */
export interface ClientErrorOptions {
  readonly cause?: unknown;
  /** HTTP status, for `ERR_CLIENT_HTTP_STATUS` and errors caused by one. */
  readonly statusCode?: number;
  /** One error per transport, for `ERR_CLIENT_NO_TRANSPORT`. */
  readonly errors?: readonly Error[];
}

/** The one error type the client throws and reports. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ClientErrorCode;
  /** The HTTP status code behind the error, if any. */
  readonly statusCode: number | undefined;
  /** For `ERR_CLIENT_NO_TRANSPORT`: why each transport was skipped or failed, in the order tried. */
  readonly errors: readonly Error[];

  constructor(code: ClientErrorCode, message: string, options: ClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode;
    this.errors = options.errors ?? [];
  }
}

/** True when `error` is a {@link ClientError}, optionally with the given code. */
export function isClientError(error: unknown, code?: ClientErrorCode): error is ClientError {
  return error instanceof ClientError && (code === undefined || error.code === code);
}

/** How the official client prints a thrown value: `${error}`, so `Error: message` for errors. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return value.toString();
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/** Turns anything thrown into an Error, keeping Errors as they are. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
