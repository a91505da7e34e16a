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
}

const ignore: LogFunction = () => {};

/** The default: logs nothing. Pass a logger to see handshake failures, hub errors and dropped messages. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
