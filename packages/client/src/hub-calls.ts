/**
 * The outbound calls of a hub connection: invocations with results, fire-and-forget sends and stream
 * invocations, with their upload streams. Untyped here; {@link HubConnection} puts the contract's types on top.
 */
import { MessageType, type HubMessage } from '@switchyard/protocol';
import { ClientError, ClientErrorCode, toError } from './errors.js';
import type { InvocationTable } from './invocation-table.js';
import { HubStream, extractUploads, pumpUpload, type UploadStream } from './stream-registry.js';

export interface HubCallsContext {
  readonly invocations: InvocationTable;
  /** Sends a hub message (through the stateful-reconnect buffer when there is one). */
  readonly send: (message: HubMessage) => Promise<void>;
  /** Why calls cannot go out right now, or undefined when connected. */
  readonly notConnected: () => ClientError | undefined;
}

export class HubCalls {
  readonly #context: HubCallsContext;

  constructor(context: HubCallsContext) {
    this.#context = context;
  }

  invoke(target: string, args: readonly unknown[]): Promise<unknown> {
    const { invocations, send } = this.#context;
    const notConnected = this.#context.notConnected();
    if (notConnected !== undefined) return Promise.reject(notConnected);
    const { args: plain, uploads } = extractUploads(args, () => invocations.nextId());
    const invocationId = invocations.nextId();
    return new Promise((resolve, reject) => {
      invocations.add(invocationId, {
        onItem: () => {
          invocations.remove(invocationId);
          reject(new ClientError(ClientErrorCode.HubError, `Unexpected message type: ${MessageType.StreamItem}`));
        },
        onCompletion: (message) => {
          if (message.error !== undefined) reject(new ClientError(ClientErrorCode.HubError, message.error));
          else resolve(message.result);
        },
        onError: (error) => reject(error),
      });
      const sent = send(invocation(target, plain, invocationId, uploads));
      sent.catch((error: unknown) => {
        if (invocations.remove(invocationId)) reject(toError(error));
      });
      this.#launchUploads(uploads, sent);
    });
  }

  send(target: string, args: readonly unknown[]): Promise<void> {
    const notConnected = this.#context.notConnected();
    if (notConnected !== undefined) return Promise.reject(notConnected);
    const { args: plain, uploads } = extractUploads(args, () => this.#context.invocations.nextId());
    const sent = this.#context.send(invocation(target, plain, undefined, uploads));
    this.#launchUploads(uploads, sent);
    return sent;
  }

  stream<T>(target: string, args: readonly unknown[]): HubStream<T> {
    return new HubStream<T>((sink) => {
      const { invocations, send } = this.#context;
      const notConnected = this.#context.notConnected();
      if (notConnected !== undefined) {
        sink.onError(notConnected);
        return () => undefined;
      }
      const { args: plain, uploads } = extractUploads(args, () => invocations.nextId());
      const invocationId = invocations.nextId();
      invocations.add(invocationId, sink);
      const sent = send({
        type: MessageType.StreamInvocation,
        invocationId,
        target,
        arguments: plain,
        ...(uploads.length === 0 ? {} : { streamIds: uploads.map((u) => u.streamId) }),
      });
      sent.catch((error: unknown) => {
        if (invocations.remove(invocationId)) sink.onError(toError(error));
      });
      this.#launchUploads(uploads, sent);
      return () => {
        // Already completed (or failed): nothing to cancel on the server.
        if (!invocations.remove(invocationId)) return;
        sent.then(() => send({ type: MessageType.CancelInvocation, invocationId })).catch(() => undefined);
      };
    });
  }

  #launchUploads(uploads: readonly UploadStream[], invocationSent: Promise<void>): void {
    for (const upload of uploads) void pumpUpload(upload, invocationSent, (message) => this.#context.send(message));
  }
}

function invocation(target: string, args: readonly unknown[], invocationId: string | undefined, uploads: readonly UploadStream[]): HubMessage {
  // Plain literals, no spreads: this runs for every call.
  if (uploads.length === 0) {
    return invocationId === undefined
      ? { type: MessageType.Invocation, target, arguments: args }
      : { type: MessageType.Invocation, invocationId, target, arguments: args };
  }
  const streamIds = uploads.map((u) => u.streamId);
  return invocationId === undefined
    ? { type: MessageType.Invocation, target, arguments: args, streamIds }
    : { type: MessageType.Invocation, invocationId, target, arguments: args, streamIds };
}
