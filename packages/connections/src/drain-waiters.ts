/**
 * The `whenDrained` calls waiting on one connection. A connection creates this on the first wait and
 * drops it once nobody waits, so the write path of a connection nobody waits on costs one check.
 */
export class DrainWaiters {
  readonly #thresholds: number[] = [];
  readonly #resolvers: (() => void)[] = [];

  /** A promise resolved by the first {@link settle} whose byte count is at most `thresholdBytes`. */
  wait(thresholdBytes: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#thresholds.push(thresholdBytes);
      this.#resolvers.push(resolve);
    });
  }

  /**
   * Resolves every waiter whose threshold `bufferedBytes` meets (pass -1 to resolve them all: the
   * connection ended). Returns true when none is left.
   */
  settle(bufferedBytes: number): boolean {
    const thresholds = this.#thresholds;
    const resolvers = this.#resolvers;
    let kept = 0;
    for (let i = 0; i < thresholds.length; i++) {
      if (bufferedBytes <= thresholds[i]!) {
        resolvers[i]!();
      } else {
        thresholds[kept] = thresholds[i]!;
        resolvers[kept++] = resolvers[i]!;
      }
    }
    thresholds.length = kept;
    resolvers.length = kept;
    return kept === 0;
  }
}
