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
/** Numbers the flush turns; 0 outside one. */
let turn = 0;
let lastTurn = 0;

/**
 * The number of the flush turn running now, or 0 when none is: what one turn writes may be shared by
 * the connections flushed in it (transports/frame.ts), since no application code runs in between.
 */
export function currentFlushTurn(): number {
  return turn;
}

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
  turn = lastTurn = (lastTurn % Number.MAX_SAFE_INTEGER) + 1;
  try {
    for (let i = 0; i < batch.length; i++) batch[i]!.runScheduledFlush();
  } finally {
    turn = 0;
  }
  batch.length = 0;
  spare = batch;
}
