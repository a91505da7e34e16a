/**
 * Graceful shutdown in batches (`Switchyard.shutdown`): stop accepting, then tell the hub clients to
 * reconnect (Close {allowReconnect: true}) a batch at a time, so a site's other servers see them come
 * back spread over time instead of all at once, wait a bounded time for them to go, and let
 * `Switchyard.close()` end whatever is left. docs/slow-consumers-and-shutdown.md describes the sequence.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Server as NetServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { HubError, HubErrorCode } from './errors.js';
import type { HubEndpoint } from './hub-endpoint.js';

/** What one batch of {@link ShutdownOptions.onBatch} holds. */
export interface ShutdownBatch {
  /** 0 for the first batch. */
  readonly index: number;
  /** Hub connections told to reconnect in this batch. */
  readonly size: number;
  /** Hub connections not yet told after this batch. */
  readonly remaining: number;
}

/** Options of `Switchyard.shutdown`. */
export interface ShutdownOptions {
  /** Hub connections sent Close {allowReconnect: true} per batch. @default 100 */
  drainBatchSize?: number;
  /** Pause between two batches, in ms. @default 100 (so 1,000 connections a second by default) */
  drainIntervalMs?: number;
  /**
   * After the last batch, how long to wait (ms) for the told connections to end (their clients close,
   * onDisconnected runs) before every connection left is ended at once.
   * @default 10_000
   */
  drainTimeoutMs?: number;
  /**
   * Stop the HTTP servers given to `attach` from accepting new TCP connections when the shutdown
   * starts, so a load balancer's next attempt goes elsewhere. Connections already open (keep-alive
   * sockets of long polling and SSE sends included) keep working until the drain reaches them.
   * Closing the servers for good stays the caller's job.
   * @default true
   */
  stopListening?: boolean;
  /** Called just before each batch is told (progress, logs). Must not throw. @default undefined */
  onBatch?: (batch: ShutdownBatch) => void;
}

/** Options after defaults. */
export interface ResolvedShutdownOptions {
  readonly drainBatchSize: number;
  readonly drainIntervalMs: number;
  readonly drainTimeoutMs: number;
  readonly stopListening: boolean;
  readonly onBatch: ((batch: ShutdownBatch) => void) | undefined;
}

export const shutdownDefaults = {
  drainBatchSize: 100,
  drainIntervalMs: 100,
  drainTimeoutMs: 10_000,
  stopListening: true,
} as const;

/** Applies defaults; throws `ERR_HUB_INVALID_OPTION` on a bad value. */
export function resolveShutdownOptions(options: ShutdownOptions = {}): ResolvedShutdownOptions {
  const d = shutdownDefaults;
  const drainBatchSize = options.drainBatchSize ?? d.drainBatchSize;
  if (!(drainBatchSize >= 1) || (!Number.isInteger(drainBatchSize) && drainBatchSize !== Infinity)) {
    throw invalid(`drainBatchSize must be a positive integer (or Infinity), got ${String(drainBatchSize)}`);
  }
  return {
    drainBatchSize,
    drainIntervalMs: nonNegative('drainIntervalMs', options.drainIntervalMs ?? d.drainIntervalMs),
    drainTimeoutMs: nonNegative('drainTimeoutMs', options.drainTimeoutMs ?? d.drainTimeoutMs),
    stopListening: options.stopListening ?? d.stopListening,
    onBatch: options.onBatch,
  };
}

/**
 * Stops `server` from accepting new TCP connections without touching the open ones. `http.Server.close`
 * would also close idle keep-alive sockets, which long-polling and SSE clients reuse for their next
 * request: they would fail at once, all together, instead of in their batch.
 */
export function stopListening(server: HttpServer | HttpsServer): void {
  if (!server.listening) return;
  NetServer.prototype.close.call(server);
}

/**
 * Tells the hub connections of `endpoints` to reconnect, `drainBatchSize` every `drainIntervalMs`, and
 * resolves once all of them ended or `drainTimeoutMs` after the last batch, whichever comes first.
 * The endpoints must already refuse new sessions.
 */
export async function drainInBatches(endpoints: readonly HubEndpoint[], options: ResolvedShutdownOptions): Promise<void> {
  const sessions = endpoints.flatMap((endpoint) => [...endpoint.sessions]);
  const ended: Promise<void>[] = [];
  const { drainBatchSize, drainIntervalMs } = options;
  for (let start = 0, index = 0; start < sessions.length; start += drainBatchSize, index++) {
    if (index > 0 && drainIntervalMs > 0) await delay(drainIntervalMs);
    const batch = sessions.slice(start, start + drainBatchSize);
    options.onBatch?.({ index, size: batch.length, remaining: sessions.length - start - batch.length });
    for (const session of batch) ended.push(session.shutdown().then(() => transportEnded(session.connection.signal)));
  }
  if (ended.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, options.drainTimeoutMs);
  });
  try {
    await Promise.race([Promise.all(ended), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the connection behind `signal` has ended (the client closed, or the transport dropped). */
function transportEnded(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`${name} must be a finite number ≥ 0, got ${String(value)}`);
  return value;
}

function invalid(message: string): HubError {
  return new HubError(HubErrorCode.InvalidOption, message);
}
