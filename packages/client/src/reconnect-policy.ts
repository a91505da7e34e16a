/**
 * When to try again after the connection was lost. A policy is asked before every attempt; `null`
 * means give up (the connection then closes with `ERR_CLIENT_RECONNECT_FAILED`).
 */

/** What a policy knows when it decides. */
export interface RetryContext {
  /** Failed attempts so far in this round of reconnecting (0 before the first). */
  readonly previousRetryCount: number;
  /** Time since the connection was lost, in ms. */
  readonly elapsedMs: number;
  /** Why the last attempt failed (or why the connection was lost, before the first). */
  readonly retryReason: Error;
}

export interface ReconnectPolicy {
  /** Delay before the next attempt in ms, or `null` to stop reconnecting. */
  nextRetryDelayMs(context: RetryContext): number | null;
}

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /**
   * Delay before the first attempt: a dropped socket on a healthy network usually comes straight back.
   * @default 0 (ms)
   */
  readonly firstDelayMs?: number;
  /** Delay before the second attempt; each later one multiplies it by `multiplier`. @default 1_000 (ms) */
  readonly baseDelayMs?: number;
  /** Growth per attempt. @default 2 */
  readonly multiplier?: number;
  /** Longest delay between attempts. @default 30_000 (ms) */
  readonly maxDelayMs?: number;
  /**
   * Share of each delay that is random, so that clients dropped together (a server restart) do not
   * come back together: a delay `d` becomes a uniform pick in `[d × (1 − jitterRatio), d]`.
   * @default 0.5
   */
  readonly jitterRatio?: number;
  /** Attempts before giving up. @default Infinity */
  readonly maxRetries?: number;
  /** Time since the connection was lost after which no attempt starts. @default Infinity (ms) */
  readonly maxElapsedMs?: number;
  /** Source of randomness in [0, 1), for tests. @default Math.random */
  readonly random?: () => number;
}

/** The defaults of {@link exponentialBackoff}. */
export const exponentialBackoffDefaults = {
  firstDelayMs: 0,
  baseDelayMs: 1_000,
  multiplier: 2,
  maxDelayMs: 30_000,
  jitterRatio: 0.5,
  maxRetries: Number.POSITIVE_INFINITY,
  maxElapsedMs: Number.POSITIVE_INFINITY,
} as const;

/**
 * The default policy: an immediate attempt, then 1 s, 2 s, 4 s… up to 30 s between attempts, each
 * shortened by up to half at random, forever unless limited.
 *
 * @example
 * new HubConnection({ url, reconnect: exponentialBackoff({ maxRetries: 10, maxDelayMs: 10_000 }) });
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): ReconnectPolicy {
  const d = exponentialBackoffDefaults;
  const firstDelayMs = options.firstDelayMs ?? d.firstDelayMs;
  const baseDelayMs = options.baseDelayMs ?? d.baseDelayMs;
  const multiplier = options.multiplier ?? d.multiplier;
  const maxDelayMs = options.maxDelayMs ?? d.maxDelayMs;
  const jitterRatio = Math.min(1, Math.max(0, options.jitterRatio ?? d.jitterRatio));
  const maxRetries = options.maxRetries ?? d.maxRetries;
  const maxElapsedMs = options.maxElapsedMs ?? d.maxElapsedMs;
  const random = options.random ?? Math.random;
  return {
    nextRetryDelayMs({ previousRetryCount, elapsedMs }) {
      if (previousRetryCount >= maxRetries || elapsedMs >= maxElapsedMs) return null;
      const delay = previousRetryCount === 0
        ? firstDelayMs
        : Math.min(maxDelayMs, baseDelayMs * multiplier ** (previousRetryCount - 1));
      return Math.round(delay * (1 - jitterRatio * random()));
    },
  };
}

/**
 * A fixed list of delays, then give up: `fixedDelays([0, 2_000, 10_000, 30_000])` is the official
 * client's `withAutomaticReconnect()`.
 */
export function fixedDelays(delaysMs: readonly number[]): ReconnectPolicy {
  const delays = [...delaysMs];
  return {
    nextRetryDelayMs: ({ previousRetryCount }) => delays[previousRetryCount] ?? null,
  };
}
