/**
 * Paces a server-to-client stream to its client. .NET awaits the transport's flush for every item; here
 * a stream that got more than the high-water mark ahead of its client waits for the connection's drain
 * signal, down to half of it (.NET's pipe pause/resume thresholds). Without this a fast generator would
 * fill the connection's buffer limit and get the client disconnected. Nothing waits, and nothing is
 * allocated, while the client keeps up.
 */
import type { Connection } from '@switchyard/connections';

/** Queued bytes above which a stream stops producing (.NET's 64 KiB transport buffer). */
export const STREAM_HIGH_WATER_BYTES = 65_536;
const LOW_WATER_BYTES = STREAM_HIGH_WATER_BYTES / 2;

/** Resolves once `connection` has drained to the low-water mark, or `signal` aborts. Never rejects. */
export function waitForDrain(connection: Connection, signal: AbortSignal): Promise<void> {
  const drained = connection.whenDrained(LOW_WATER_BYTES);
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    // A cancelled stream must not wait for a client that may never read again.
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void drained.then(() => {
      // A long stream pauses many times on one signal: do not let listeners pile up on it.
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
