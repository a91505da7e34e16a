/** The child side of `Agent`: answers requests from the parent process over IPC. */

export type Handler = (body: Record<string, unknown>) => unknown;

/**
 * Announces `ready` to the parent, then answers each `{id, type, body}` with the handler's result.
 * `exit` runs `onExit` (close servers, sockets) and ends the process.
 */
export function serveRequests(ready: Record<string, unknown>, handlers: Record<string, Handler>, onExit: () => Promise<void> = () => Promise.resolve()): void {
  const send = (message: unknown): void => {
    process.send?.(message);
  };
  process.on('message', (message: { id: number; type: string; body: Record<string, unknown> }) => {
    if (message.type === 'exit') {
      const timer = setTimeout(() => process.exit(0), 3_000);
      timer.unref();
      void onExit()
        .catch(() => {})
        .finally(() => process.exit(0));
      return;
    }
    const handler = handlers[message.type];
    if (handler === undefined) {
      send({ id: message.id, ok: false, error: `unknown request ${message.type}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.body))
      .then(
        (value) => send({ id: message.id, ok: true, value }),
        (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
  send({ ready });
}

/** Milliseconds on the system's monotonic clock: comparable across processes of one machine. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
