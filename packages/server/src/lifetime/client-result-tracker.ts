import { MessageType, type CompletionMessage } from '@switchyard/protocol';
import { HubError, HubErrorCode, HubException } from '../errors.js';
import { connectionDisconnected } from '../error-messages.js';
import type { Heartbeat, HeartbeatMember } from '../heartbeat.js';
import type { HubConnectionContext } from './hub-lifetime-manager.js';

interface PendingResult {
  readonly connectionId: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Monotonic ms after which the call fails; Infinity without a timeout. */
  readonly deadline: number;
}

/**
 * Client results waiting for the client's Completion. Ids are generated here ("s1", "s2", …, the `s`
 * keeping them apart from the client's own ids, which are plain numbers and also name upload streams).
 * Timeouts are checked on the shared heartbeat while anything is pending, never with a timer per call.
 */
export class ClientResultTracker implements HeartbeatMember {
  readonly #pending = new Map<string, PendingResult>();
  readonly #heartbeat: Heartbeat;
  readonly #timeoutMs: number | null;
  readonly #idPrefix: string;
  /** Connections whose abort already fails their pending results (one listener each, added on first call). */
  readonly #watched = new WeakSet<HubConnectionContext>();
  #lastId = 0;

  /**
   * @param idPrefix starts every invocation id; a scaled manager makes it unique per server, so the
   *   server owning a connection can route Completions of several origins apart.
   */
  constructor(heartbeat: Heartbeat, timeoutMs: number | null, idPrefix = 's') {
    this.#heartbeat = heartbeat;
    this.#timeoutMs = timeoutMs;
    this.#idPrefix = idPrefix;
  }

  nextInvocationId(): string {
    return `${this.#idPrefix}${++this.#lastId}`;
  }

  /** The connection a pending invocation went to. */
  connectionOf(invocationId: string): string | undefined {
    return this.#pending.get(invocationId)?.connectionId;
  }

  /**
   * Invokes `target` on a connection this server holds and returns its answer. Rejects at once when the
   * connection is gone; fails when it aborts before answering, or when the arguments cannot be encoded.
   */
  invokeOn(connection: HubConnectionContext, target: string, args: readonly unknown[]): Promise<unknown> {
    const { connectionId } = connection;
    if (connection.signal.aborted) return Promise.reject(disconnectedError(connectionId));
    if (!this.#watched.has(connection)) {
      this.#watched.add(connection);
      // Fail the pending results as soon as the connection aborts, before its onDisconnected runs.
      connection.signal.addEventListener('abort', () => this.failConnection(connectionId, disconnectedError(connectionId)), { once: true });
    }
    const invocationId = this.nextInvocationId();
    const result = this.add(connectionId, invocationId);
    let sent: boolean;
    try {
      sent = connection.sendMessage({ type: MessageType.Invocation, invocationId, target, arguments: args });
    } catch (error) {
      // The arguments could not be encoded: nothing went out, so nothing can answer.
      this.fail(invocationId, error instanceof Error ? error : new Error(String(error)));
      return result;
    }
    if (!sent) this.fail(invocationId, disconnectedError(connectionId));
    return result;
  }

  /** Registers a pending result; the promise settles on {@link complete}, {@link fail} or timeout. */
  add(connectionId: string, invocationId: string): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const deadline = this.#timeoutMs === null ? Infinity : this.#heartbeat.touch() + this.#timeoutMs;
      this.#pending.set(invocationId, { connectionId, resolve, reject, deadline });
      if (this.#timeoutMs !== null && this.#pending.size === 1) this.#heartbeat.add(this);
    });
  }

  /** Settles the pending call with the client's answer. False when the id is unknown or not that connection's. */
  complete(connectionId: string, completion: CompletionMessage): boolean {
    const pending = this.#pending.get(completion.invocationId);
    if (pending === undefined || pending.connectionId !== connectionId) return false;
    this.#remove(completion.invocationId);
    if (completion.error !== undefined) pending.reject(new HubException(completion.error));
    else pending.resolve(completion.result);
    return true;
  }

  /** Rejects one pending call (its invocation could not be sent). */
  fail(invocationId: string, error: Error): void {
    const pending = this.#pending.get(invocationId);
    if (pending === undefined) return;
    this.#remove(invocationId);
    pending.reject(error);
  }

  /** Rejects every call pending on `connectionId` (it disconnected). */
  failConnection(connectionId: string, error: Error): void {
    for (const [invocationId, pending] of this.#pending) {
      if (pending.connectionId !== connectionId) continue;
      this.#remove(invocationId);
      pending.reject(error);
    }
  }

  onHeartbeat(now: number): void {
    for (const [invocationId, pending] of this.#pending) {
      if (pending.deadline > now) continue;
      this.#remove(invocationId);
      pending.reject(
        new HubError(
          HubErrorCode.ClientResultTimeout,
          `Connection '${pending.connectionId}' did not answer invocation '${invocationId}' within ${String(this.#timeoutMs)}ms.`,
          'TimeoutException',
        ),
      );
    }
  }

  dispose(error: Error): void {
    for (const invocationId of [...this.#pending.keys()]) this.fail(invocationId, error);
    this.#heartbeat.delete(this);
  }

  #remove(invocationId: string): void {
    this.#pending.delete(invocationId);
    if (this.#pending.size === 0) this.#heartbeat.delete(this);
  }
}

/** What a client result gets when its connection went away (the .NET text). */
export function disconnectedError(connectionId: string): HubError {
  return new HubError(HubErrorCode.ConnectionDisconnected, connectionDisconnected(connectionId), 'IOException');
}
