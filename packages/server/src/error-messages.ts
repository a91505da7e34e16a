/**
 * The exact texts the .NET server sends, so clients, tests and logs written against ASP.NET Core SignalR
 * read the same from Switchyard. Keep every wire-visible string here.
 */
import { HubException } from './errors.js';

/**
 * .NET's `ErrorMessageHelper.BuildErrorMessage`: the detail " {Type}: {message}" is appended when
 * detailed errors are on, and always for a {@link HubException}.
 */
export function buildErrorMessage(message: string, error: unknown, detailed: boolean): string {
  if (detailed || error instanceof HubException) return `${message} ${errorTypeName(error)}: ${errorText(error)}`;
  return message;
}

/**
 * The name standing in for .NET's exception type: a customised `name` wins (`HubException`,
 * `InvalidDataException`), else the class name (`class InvalidOperationException extends Error {}`).
 */
export function errorTypeName(error: unknown): string {
  if (!(error instanceof Error)) return 'Error';
  if (error.name !== 'Error') return error.name;
  const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
  return typeof constructorName === 'string' && constructorName !== '' ? constructorName : 'Error';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const unknownMethod = (target: string): string => `Unknown hub method '${target}'`;

export const invocationFailed = (target: string): string =>
  `An unexpected error occurred invoking '${target}' on the server.`;

export const bindingFailed = (target: string): string => `Failed to invoke '${target}' due to an error on the server.`;

export const argumentCountMismatch = (provided: number, expected: number): string =>
  `Invocation provides ${provided} argument(s) but target expects ${expected}.`;

export const unauthorized = (target: string): string => `Failed to invoke '${target}' because user is unauthorized`;

export const streamingMethodInvoked = (target: string): string =>
  `The client attempted to invoke the streaming '${target}' method with a non-streaming invocation.`;

export const nonStreamingMethodStreamed = (target: string): string =>
  `The client attempted to invoke the non-streaming '${target}' method with a streaming invocation.`;

export const invocationIdInUse = (invocationId: string): string => `Invocation ID '${invocationId}' is already in use.`;

/** .NET's text verbatim, AddHubOptions included: clients and logs match on it. */
export const messageTooLarge = (maxBytes: number): string =>
  `The maximum message size of ${maxBytes}B was exceeded. The message size can be configured in AddHubOptions.`;

export const STREAMING_FAILED = 'An error occurred on the server while streaming results.';

export const CONNECTION_CLOSED_WITH_ERROR = 'Connection closed with an error.';

/** A transport ended with part of a hub message unread. */
export const TERMINATED_MID_MESSAGE = 'Connection terminated while reading a message.';

/** Stateful reconnect: the client's Sequence names a message the server never received. */
export const SEQUENCE_AHEAD = "Sequence ID greater than amount of messages we've received.";

export const CLIENT_TIMEOUT = "Client hasn't sent a message/ping within the configured ClientTimeoutInterval.";

export const HANDSHAKE_CANCELED = 'Handshake was canceled.';

export const HANDSHAKE_FAILED = 'An unexpected error occurred during connection handshake.';

export const protocolNotSupported = (protocol: string): string => `The protocol '${protocol}' is not supported.`;

export const versionNotSupported = (version: number, protocol: string): string =>
  `The server does not support version ${version} of the '${protocol}' protocol.`;

export const transferFormatNotSupported = (protocol: string, format: string): string =>
  `Cannot use the '${protocol}' protocol on the current transport. The transport does not support '${format}' transfer format.`;

export const connectionDisconnected = (connectionId: string): string => `Connection '${connectionId}' disconnected.`;

export const connectionNotFound = (connectionId: string): string => `Connection '${connectionId}' does not exist.`;

export const INVOKE_IN_ON_CONNECTED = 'Client results inside OnConnectedAsync Hub methods are not allowed.';

export const UPLOAD_ABORTED = 'The underlying connection was closed.';
