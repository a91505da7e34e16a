/**
 * The nine SignalR hub messages (dotnet/aspnetcore docs/specs/HubProtocol.md), as plain objects.
 * Field names follow the wire exactly, so the JSON codec can map them one to one.
 */

/** Numeric message kinds, identical on every protocol. */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Message headers: string to string, omitted on the wire when empty. */
export type MessageHeaders = Readonly<Record<string, string>>;

/** A call of `target`. Without `invocationId` it is non-blocking: the callee answers nothing. */
export interface InvocationMessage {
  readonly type: typeof MessageType.Invocation;
  readonly headers?: MessageHeaders;
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  /** Ids of client-to-server streams that follow as StreamItem/Completion messages. */
  readonly streamIds?: readonly string[];
}

/** A call of a streaming `target`: answered by StreamItems then one Completion. */
export interface StreamInvocationMessage {
  readonly type: typeof MessageType.StreamInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly streamIds?: readonly string[];
}

/** One item of a stream, keyed by the invocation id (server streams) or the stream id (uploads). */
export interface StreamItemMessage {
  readonly type: typeof MessageType.StreamItem;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly item: unknown;
}

/**
 * The end of an invocation or a stream.
 * - `error` set: failed (never together with `result`);
 * - `result !== undefined`: completed with a value (`null` for a void method, written `"result":null`);
 * - neither: completed without a value (the end of a stream).
 */
export interface CompletionMessage {
  readonly type: typeof MessageType.Completion;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
  readonly error?: string;
  readonly result?: unknown;
}

/** Asks the callee to cancel a stream invocation (or an upload). */
export interface CancelInvocationMessage {
  readonly type: typeof MessageType.CancelInvocation;
  readonly headers?: MessageHeaders;
  readonly invocationId: string;
}

/** Keep-alive. */
export interface PingMessage {
  readonly type: typeof MessageType.Ping;
}

/** The sender is closing the connection; `allowReconnect` tells the client it may reconnect. */
export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  readonly error?: string;
  readonly allowReconnect?: boolean;
}

/** Stateful reconnect: every tracked message up to `sequenceId` was received. */
export interface AckMessage {
  readonly type: typeof MessageType.Ack;
  readonly sequenceId: number;
}

/** Stateful reconnect: the next tracked message after this one carries `sequenceId`. */
export interface SequenceMessage {
  readonly type: typeof MessageType.Sequence;
  readonly sequenceId: number;
}

export type HubMessage =
  | InvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | StreamInvocationMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;

/** Messages numbered and buffered by stateful reconnect (types 1 to 5). */
export function isSequencedMessage(
  message: HubMessage,
): message is InvocationMessage | StreamItemMessage | CompletionMessage | StreamInvocationMessage | CancelInvocationMessage {
  return message.type >= MessageType.Invocation && message.type <= MessageType.CancelInvocation;
}
