/**
 * The lifecycle events of a hub connection. Listeners are user code: one that throws is logged and
 * never disturbs the state machine or the other listeners.
 */
import { toError } from './errors.js';
import type { Logger } from './logger.js';

export interface ConnectionEventMap {
  close: Error | undefined;
  reconnecting: Error;
  reconnected: string | null;
}

type Listener<T> = (value: T) => void;

export class ConnectionEvents {
  readonly #logger: Logger;
  readonly #listeners: { [K in keyof ConnectionEventMap]: Set<Listener<ConnectionEventMap[K]>> } = {
    close: new Set(),
    reconnecting: new Set(),
    reconnected: new Set(),
  };

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Adds a listener; returns its remover. */
  add<K extends keyof ConnectionEventMap>(event: K, listener: Listener<ConnectionEventMap[K]>): () => void {
    const listeners: Set<Listener<ConnectionEventMap[K]>> = this.#listeners[event];
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  emit<K extends keyof ConnectionEventMap>(event: K, value: ConnectionEventMap[K]): void {
    const listeners: Set<Listener<ConnectionEventMap[K]>> = this.#listeners[event];
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.#logger.error(`A ${event} listener threw: ${toError(error).message}`);
      }
    }
  }
}
