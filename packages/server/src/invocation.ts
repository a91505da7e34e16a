/**
 * Running hub methods: one non-streaming invocation (result or error Completion) or one server-to-client
 * stream (StreamItems, then a Completion). The checks that need no slot happen before, in the dispatcher.
 */
import {
  MessageType,
  type CompletionMessage,
  type InvocationMessage,
  type StreamInvocationMessage,
} from '@switchyard/protocol';
import { evaluatePolicy } from './auth/authorization.js';
import type { GroupManager } from './clients.js';
import {
  STREAMING_FAILED,
  buildErrorMessage,
  invocationFailed,
  invocationIdInUse,
  nonStreamingMethodStreamed,
  streamingMethodInvoked,
  unauthorized,
} from './error-messages.js';
import { createHub, type HubScope } from './hub.js';
import type { HubCallerContext } from './hub-context.js';
import type { HubMethod } from './hub-methods.js';
import type { HubSession } from './hub-session.js';
import type { InvocationFailureReason } from './instrumentation.js';
import type { HubLifetimeManager } from './lifetime/hub-lifetime-manager.js';
import type { SessionCore } from './session-core.js';
import { mustPause, waitForRoom } from './stream-pacing.js';
import type { UploadStream } from './upload-stream.js';

/** The scope of onConnected / onDisconnected: no slot, the connection's signal. */
export class LifecycleScope implements HubScope {
  readonly #session: SessionCore;
  readonly invokeAllowed: boolean;

  constructor(session: SessionCore, invokeAllowed: boolean) {
    this.#session = session;
    this.invokeAllowed = invokeAllowed;
  }
  get context(): HubCallerContext {
    return this.#session.callerContext;
  }
  get manager(): HubLifetimeManager {
    return this.#session.endpoint.manager;
  }
  get groups(): GroupManager {
    return this.#session.endpoint.groups;
  }
  get signal(): AbortSignal {
    return this.#session.signal;
  }
  releaseSlot(): void {}
}

/** The scope of one invocation: holds its parallel-invocation slot until it ends or awaits a client result. */
class InvocationScope extends LifecycleScope {
  readonly #session: HubSession;
  readonly #signal: AbortSignal;
  #holdsSlot: boolean;

  constructor(session: HubSession, holdsSlot: boolean, signal: AbortSignal) {
    super(session, true);
    this.#session = session;
    this.#holdsSlot = holdsSlot;
    this.#signal = signal;
  }
  override get signal(): AbortSignal {
    return this.#signal;
  }
  /** Like .NET, a method waiting for a client result gives its slot back for good, so the reply can be read. */
  override releaseSlot(): void {
    if (!this.#holdsSlot) return;
    this.#holdsSlot = false;
    this.#session.inbound.releaseSlot();
  }
}

/** A running server-to-client stream, so CancelInvocation and disconnect can stop it. */
export class ServerStream {
  readonly #controller = new AbortController();
  #iterator: AsyncIterator<unknown> | undefined;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  get cancelled(): boolean {
    return this.#controller.signal.aborted;
  }

  set iterator(iterator: AsyncIterator<unknown>) {
    this.#iterator = iterator;
  }

  /** Aborts the stream's signal and asks the generator to finish (its `finally` blocks run). */
  cancel(): void {
    if (this.cancelled) return;
    this.#controller.abort();
    finish(this.#iterator);
  }
}

type HubInvocation = InvocationMessage | StreamInvocationMessage;

/**
 * Runs an invocation that passed the dispatcher's checks. Never rejects: every failure becomes an error
 * Completion (when the caller waits for one) and a log line.
 */
export async function runInvocation(
  session: HubSession,
  method: HubMethod,
  message: HubInvocation,
  holdsSlot: boolean,
  uploads: UploadStream[] | undefined,
): Promise<void> {
  const streamResponse = message.type === MessageType.StreamInvocation;
  const invocationId = message.invocationId === '' ? undefined : message.invocationId;
  const stream = streamResponse ? new ServerStream() : undefined;
  const scope = new InvocationScope(session, holdsSlot, stream?.signal ?? session.signal);
  const { endpoint } = session;
  try {
    if (method.policy !== undefined) {
      const allowed = evaluatePolicy(method.policy, session.user);
      if (!(typeof allowed === 'boolean' ? allowed : await allowed)) {
        session.logger.debug({ target: message.target }, 'hub method not authorized');
        sendError(session, invocationId, unauthorized(message.target), 'unauthorized');
        return;
      }
    }
    if (method.streaming !== streamResponse) {
      const text = streamResponse ? nonStreamingMethodStreamed(message.target) : streamingMethodInvoked(message.target);
      sendError(session, invocationId, text, 'invalid_invocation');
      return;
    }
    const args = uploads === undefined ? message.arguments : [...message.arguments, ...uploads];
    if (stream !== undefined) {
      await runStream(session, method, message.target, message.invocationId!, stream, scope, args);
      return;
    }
    const hub = createHub(endpoint.hubClass, scope);
    let result = method.fn.apply(hub, args as unknown[]);
    if (isThenable(result)) result = await result;
    if (invocationId !== undefined) {
      // A void method answers "result":null, like .NET's CompletionMessage.WithResult(id, null).
      const completion: CompletionMessage = { type: MessageType.Completion, invocationId, result: result ?? null };
      session.sendMessage(completion);
    }
  } catch (error) {
    session.logger.warn({ target: message.target, err: error }, 'hub method failed');
    sendError(session, invocationId, buildErrorMessage(invocationFailed(message.target), error, endpoint.options.enableDetailedErrors), 'exception');
  } finally {
    if (uploads !== undefined) for (const upload of uploads) session.streams.closeUpload(upload);
    scope.releaseSlot();
  }
}

/**
 * Pulls the generator and sends each item. An error before the first item reads like a failed invocation
 * ("An unexpected error occurred invoking …", as .NET reports a method that throws before returning its
 * stream); after it, "An error occurred on the server while streaming results.". A cancelled stream
 * still gets its Completion, without an error.
 */
async function runStream(
  session: HubSession,
  method: HubMethod,
  target: string,
  invocationId: string,
  stream: ServerStream,
  scope: HubScope,
  args: readonly unknown[],
): Promise<void> {
  if (!session.streams.addServerStream(invocationId, stream)) {
    sendError(session, invocationId, invocationIdInUse(invocationId), 'invalid_invocation');
    return;
  }
  const { endpoint } = session;
  let error: string | undefined;
  let started = false;
  let iterator: AsyncIterator<unknown> | undefined;
  // One message object for all items: it is encoded synchronously on every send.
  const item = { type: MessageType.StreamItem, invocationId, item: undefined as unknown };
  try {
    if (session.signal.aborted) stream.cancel();
    iterator = method.fn.apply(createHub(endpoint.hubClass, scope), args as unknown[]) as AsyncIterator<unknown>;
    stream.iterator = iterator;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        iterator = undefined;
        break;
      }
      if (stream.cancelled) break;
      started = true;
      item.item = next.value;
      session.sendMessage(item);
      if (mustPause(session)) await waitForRoom(session, stream.signal);
    }
  } catch (thrown) {
    if (!stream.cancelled) {
      session.logger.warn({ target, err: thrown }, 'hub stream failed');
      const text = started ? STREAMING_FAILED : invocationFailed(target);
      error = buildErrorMessage(text, thrown, endpoint.options.enableDetailedErrors);
    }
  } finally {
    // Stopped early (cancel, or an item that could not be sent): let the generator clean up.
    finish(iterator);
    session.streams.removeServerStream(invocationId, stream);
    if (error === undefined) session.sendMessage({ type: MessageType.Completion, invocationId });
    else sendError(session, invocationId, error, 'exception');
  }
}

/**
 * Counts a failed invocation by `reason` and sends its error Completion, unless the caller did not ask
 * for an answer. Every invocation error goes through here, so none is answered without being counted.
 */
export function sendError(session: HubSession, invocationId: string | undefined, error: string, reason: InvocationFailureReason): void {
  session.endpoint.instrumentation.invocationFailed(session.endpoint.hubName, reason);
  if (invocationId === undefined || invocationId === '') return;
  session.sendMessage({ type: MessageType.Completion, invocationId, error });
}

function finish(iterator: AsyncIterator<unknown> | undefined): void {
  if (iterator?.return === undefined) return;
  iterator.return().then(undefined, () => {
    // The generator's own cleanup failed after the stream was over: nothing left to report to.
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}
