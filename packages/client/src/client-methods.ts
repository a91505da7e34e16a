/**
 * Handlers registered with `on()`, looked up case-insensitively (the server may write `Receive` for a
 * handler registered as `receive`), and client results: when the server invokes with an id, the
 * handlers' return value goes back in a Completion, with the official client's rules and texts.
 */
import { MessageType, type CompletionMessage, type InvocationMessage } from '@switchyard/protocol';
import { describeThrown } from './errors.js';
import type { Logger } from './logger.js';

/** A handler as stored: any arguments, any (possibly async) result. */
export type AnyHandler = (...args: never[]) => unknown;

export class ClientMethods {
  readonly #handlers = new Map<string, AnyHandler[]>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Adds `handler` (once: adding the same function again does nothing). Returns its remover. */
  on(method: string, handler: AnyHandler): () => void {
    const key = method.toLowerCase();
    const handlers = this.#handlers.get(key);
    if (handlers === undefined) this.#handlers.set(key, [handler]);
    else if (!handlers.includes(handler)) handlers.push(handler);
    return () => this.off(method, handler);
  }

  /** Removes one handler, or every handler of `method` when none is given. */
  off(method: string, handler?: AnyHandler): void {
    const key = method.toLowerCase();
    const handlers = this.#handlers.get(key);
    if (handlers === undefined) return;
    if (handler === undefined) {
      this.#handlers.delete(key);
      return;
    }
    const index = handlers.indexOf(handler);
    if (index !== -1) handlers.splice(index, 1);
    if (handlers.length === 0) this.#handlers.delete(key);
  }

  /**
   * Runs the handlers of an invocation one after the other (a copy of the list, so handlers may remove
   * themselves). Returns the Completion to send when the server expects a result.
   */
  async invoke(message: InvocationMessage): Promise<CompletionMessage | undefined> {
    const method = message.target;
    const invocationId = message.invocationId;
    const handlers = this.#handlers.get(method.toLowerCase());
    if (handlers === undefined) {
      this.#logger.warn(`No client method with the name '${method}' found.`);
      return invocationId === undefined ? undefined : failure(invocationId, "Client didn't provide a result.");
    }
    const args = message.arguments as never[];
    let result: unknown;
    let exception: unknown;
    let multiple = false;
    for (const handler of handlers.slice()) {
      try {
        const previous = result;
        result = await handler(...args);
        // The official client compares truthiness: a second truthy result is an error.
        if (invocationId !== undefined && result && previous) multiple = true;
        exception = undefined;
      } catch (error) {
        exception = error;
        this.#logger.error(`A callback for the method '${method}' threw error '${describeThrown(error)}'.`);
      }
    }
    if (invocationId === undefined) {
      if (result !== undefined) this.#logger.error(`Result given for '${method}' method but server is not expecting a result.`);
      return undefined;
    }
    if (multiple) return failure(invocationId, 'Client provided multiple results.');
    // `${error}` gives "Error: message", the text the server shows (and the official client sends).
    if (exception !== undefined) return failure(invocationId, describeThrown(exception));
    if (result === undefined) {
      this.#logger.warn(`No result given for '${method}' method and invocation ID '${invocationId}'.`);
      return failure(invocationId, "Client didn't provide a result.");
    }
    return { type: MessageType.Completion, invocationId, result };
  }
}

function failure(invocationId: string, error: string): CompletionMessage {
  return { type: MessageType.Completion, invocationId, error };
}
