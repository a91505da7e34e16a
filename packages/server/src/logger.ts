/**
 * Logging seam. The shape matches pino and similar structured loggers: a context object and a message,
 * or a message alone. The server never logs message payloads, only ids and names.
 */

/** One log level: `(context, message)` or `(message)`. */
export type LogFunction = (contextOrMessage: object | string, message?: string) => void;

/** What {@link SwitchyardOptions.logger} must provide. */
export interface Logger {
  debug: LogFunction;
  info: LogFunction;
  warn: LogFunction;
  error: LogFunction;
  /**
   * A logger whose every line carries `bindings` (pino's `child`). Optional: without it the server wraps
   * the logger and merges the bindings into each line's context.
   */
  child?(bindings: Record<string, unknown>): Logger;
}

const ignore: LogFunction = () => {};

/** The default: logs nothing. Pass a logger to see handshake failures, hub errors and dropped messages. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * A logger for one connection: every line carries `bindings` (connectionId, hub, transport). Costs
 * nothing with the silent logger; with pino it is `logger.child(bindings)`.
 */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  if (logger === silentLogger) return logger;
  if (typeof logger.child === 'function') return logger.child(bindings);
  const level = (name: 'debug' | 'info' | 'warn' | 'error'): LogFunction => (contextOrMessage, message) => {
    if (typeof contextOrMessage === 'string') logger[name](bindings, contextOrMessage);
    else logger[name]({ ...bindings, ...contextOrMessage }, message);
  };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error'), child: (more) => childLogger(logger, { ...bindings, ...more }) };
}
