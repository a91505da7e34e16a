/**
 * The invocation rate of one connection (`invocationRateLimit`): a token bucket refilled continuously
 * at `perSecond` up to `burst` tokens; each Invocation or StreamInvocation takes one. A refused
 * invocation is answered with a Completion error and not run (non-blocking ones are dropped, since
 * nothing can be answered); after `closeAfterRejections` refusals in a row the client is not slowing
 * down, and the session closes the connection.
 */
import { performance } from 'node:perf_hooks';
import type { InvocationRateLimit } from '../options.js';

/** The Completion error of a refused invocation (docs/errors.md, `ERR_HUB_RATE_LIMITED`). */
export const rateLimited = (target: string): string => `Failed to invoke '${target}' because the invocation rate limit was exceeded.`;

/** The Close reason after sustained abuse (after "Connection closed with an error. HubException: "). */
export const RATE_LIMIT_CLOSE = 'The invocation rate limit was exceeded repeatedly.';

/**
 * What {@link InvocationBudget.take} decided; `abusive`: refused, and the refusals in a row reached
 * `closeAfterRejections`.
 */
export type RateDecision = 'allowed' | 'refused' | 'abusive';

export class InvocationBudget {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #closeAfter: number;
  #tokens: number;
  #refilledAt: number;
  #refusedInARow = 0;

  constructor(limit: Required<InvocationRateLimit>, nowMs = performance.now()) {
    this.#perMs = limit.perSecond / 1000;
    this.#burst = limit.burst;
    this.#closeAfter = limit.closeAfterRejections;
    this.#tokens = limit.burst;
    this.#refilledAt = nowMs;
  }

  /**
   * Takes one token for an invocation about to run at `nowMs` (monotonic). The dispatcher calls this once
   * per invocation, after its parallel-invocation slot (if any) is taken.
   */
  take(nowMs = performance.now()): RateDecision {
    this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#refilledAt) * this.#perMs);
    this.#refilledAt = nowMs;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#refusedInARow = 0;
      return 'allowed';
    }
    this.#refusedInARow++;
    return this.#refusedInARow >= this.#closeAfter ? 'abusive' : 'refused';
  }
}
