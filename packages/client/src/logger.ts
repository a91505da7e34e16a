/**
 * Where the client logs. `console` fits, as does a pino or winston logger; the default is silent.
 * Lines are short and never contain message payloads.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ignore = (): void => {};

/** Logs nothing: the default. */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
