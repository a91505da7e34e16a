/**
 * Inbound data a connection holds while its application cannot take it: before the handler returned its
 * listener, or while paused (inbound backpressure). A POST whose bytes are held is answered only once they
 * were delivered, so a client that sends faster than the server reads is slowed down. A connection
 * creates this only when something must wait.
 */
import type { ServerResponse } from 'node:http';
import { respondText } from './http-responses.js';

export class HeldInbound {
  readonly #payloads: Uint8Array[] = [];
  /** Index of the next payload to deliver (no `shift()`: a long backlog drains in linear time). */
  #head = 0;
  #posts: ServerResponse[] | undefined;

  /** Holds `payload`; `post` is the request that carried it, answered by {@link answerPosts}. */
  hold(payload: Uint8Array, post?: ServerResponse): void {
    this.#payloads.push(payload);
    if (post !== undefined) (this.#posts ??= []).push(post);
  }

  /** The oldest held payload, removed; undefined when none is left. */
  next(): Uint8Array | undefined {
    if (this.#head === this.#payloads.length) return undefined;
    const payload = this.#payloads[this.#head]!;
    this.#payloads[this.#head++] = undefined as unknown as Uint8Array;
    if (this.#head === this.#payloads.length) {
      this.#payloads.length = 0;
      this.#head = 0;
    }
    return payload;
  }

  get isEmpty(): boolean {
    return this.#head === this.#payloads.length;
  }

  /**
   * Answers the held POSTs: 200 once their bytes were delivered, 404 when the connection went away first
   * (as the .NET server answers a send it could not deliver).
   */
  answerPosts(status: 200 | 404): void {
    const posts = this.#posts;
    this.#posts = undefined;
    if (posts !== undefined) for (const res of posts) respondText(res, status);
  }
}
