/**
 * Paces a server-to-client stream to its client. .NET awaits the transport's flush for every item; here
 * a stream that got more than the high-water mark ahead of its client waits for the connection's drain
 * signal, down to half of it (.NET's pipe pause/resume thresholds). Without this a fast generator would
 * fill the connection's buffer limit and get the client disconnected. With stateful reconnect a stream
 * also waits while the replay window is full (the client has not acknowledged enough) or the transport
 * is lost. Nothing waits, and nothing is allocated, while the client keeps up.
 */
import type { Connection } from '@switchyard/connections';

/** Queued bytes above which a stream stops producing (.NET's 64 KiB transport buffer). */
export const STREAM_HIGH_WATER_BYTES = 65_536;
const LOW_WATER_BYTES = STREAM_HIGH_WATER_BYTES / 2;

/** What pacing looks at: the transport, and stateful reconnect's replay buffer when on. */
export interface PacedSender {
  readonly connection: Connection;
  readonly replay: { readonly mustWait: boolean; whenRoom(): Promise<void> } | undefined;
}

/** True when a stream should wait before producing its next item. */
export function mustPause(sender: PacedSender): boolean {
  return sender.connection.bufferedAmount >= STREAM_HIGH_WATER_BYTES || sender.replay?.mustWait === true;
}

/**
 * Resolves once the client caught up (the transport drained to the low-water mark and the replay
 * window has room), or `signal` aborts. Never rejects.
 */
export async function waitForRoom(sender: PacedSender, signal: AbortSignal): Promise<void> {
  for (;;) {
    if (signal.aborted) return;
    const replay = sender.replay;
    if (replay?.mustWait === true) await untilAborted(replay.whenRoom(), signal);
    else if (sender.connection.bufferedAmount > LOW_WATER_BYTES) await untilAborted(sender.connection.whenDrained(LOW_WATER_BYTES), signal);
    else return;
  }
}

/** `promise`, or earlier when `signal` aborts: a cancelled stream must not wait for a client that may never read again. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      // A long stream pauses many times on one signal: do not let listeners pile up on it.
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
