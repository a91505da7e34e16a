import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Yields `frame(now)` every `periodMs`, aligned to the clock (so every server ticks at the same
 * moments), until `signal` aborts: the client cancelled the stream or the connection ended.
 */
export async function* clockFrames<T>(periodMs: number, signal: AbortSignal, frame: (now: number) => T): AsyncGenerator<T> {
  while (!signal.aborted) {
    yield frame(Date.now());
    const wait = periodMs - (Date.now() % periodMs);
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return; // aborted: end quietly, the server completes or drops the stream
    }
  }
}

/** Yields what `history()` holds, then each new sample from `subscribe`, until `signal` aborts. */
export async function* historyThenLive<T>(
  history: readonly T[],
  subscribe: (listener: (item: T) => void) => () => void,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const queued: T[] = [...history];
  let wake: (() => void) | undefined;
  const unsubscribe = subscribe((item) => {
    queued.push(item);
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      const item = queued.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}
