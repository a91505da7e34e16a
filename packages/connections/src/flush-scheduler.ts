/**
 * Batches outbound writes: every connection that queued payloads during one turn of the event loop is
 * flushed once, in a single `setImmediate` shared by all connections. A broadcast to N connections thus
 * costs one timer, and each connection one write (one frame, one event, one poll response) per turn,
 * however many payloads it received.
 */

/** What the scheduler flushes. */
export interface Flushable {
  /** Writes what is queued; called at most once per scheduling. Must not throw. */
  runScheduledFlush(): void;
}

let pending: Flushable[] = [];
let spare: Flushable[] = [];
let scheduled = false;

/** Queues `target` for the next flush turn. The caller guarantees it is not queued already. */
export function scheduleFlush(target: Flushable): void {
  pending.push(target);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runFlushes);
  }
}

function runFlushes(): void {
  scheduled = false;
  // Swap the two arrays so targets scheduled while flushing land in the next turn, without allocating.
  const batch = pending;
  pending = spare;
  for (let i = 0; i < batch.length; i++) batch[i]!.runScheduledFlush();
  batch.length = 0;
  spare = batch;
}
