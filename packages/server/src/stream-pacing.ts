/**
 * Paces a server-to-client stream to its client. .NET awaits the transport's flush for every item;
 * our `Connection` reports only how much is still queued, so a stream that gets ahead of a slow client
 * waits, polling, until the queue drains to half the high-water mark (.NET's pipe pause/resume
 * thresholds). Without this a fast generator would fill the connection's buffer limit and get the
 * client disconnected. No timer runs while the client keeps up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@switchyard/connections';

/** Queued bytes above which a stream stops producing (.NET's 64 KiB transport buffer). */
export const STREAM_HIGH_WATER_BYTES = 65_536;
const LOW_WATER_BYTES = STREAM_HIGH_WATER_BYTES / 2;
const POLL_MS = 5;

/** Resolves once `connection` has drained enough, or `signal` aborts. Never rejects. */
export async function waitForDrain(connection: Connection, signal: AbortSignal): Promise<void> {
  while (connection.bufferedAmount > LOW_WATER_BYTES && !signal.aborted && !connection.signal.aborted) {
    await sleep(POLL_MS, undefined, { signal }).catch(() => {});
  }
}
