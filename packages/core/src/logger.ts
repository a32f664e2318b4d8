/**
 * Where jato reports errors and warnings: object first, then the message, the way pino (and bunyan)
 * take them, so a pino instance can be passed as is (`new App({ logger: pino() })`):
 *
 * ```ts
 * logger.error({ err, method: 'GET', url: '/x' }, 'jato: GET /x failed')
 * ```
 * Errors are passed as `err` (pino's standard serializer prints their stack and `cause` chain).
 */
export interface Logger {
  error(obj: LogFields, message: string): void;
  warn(obj: LogFields, message: string): void;
  info(obj: LogFields, message: string): void;
}

/** The structured part of a log line (`err` holds an error, when there is one). */
export interface LogFields {
  err?: unknown;
  [field: string]: unknown;
}

/** The default logger: the console (message first, then the error or the fields). */
export const consoleLogger: Logger = {
  error: (obj, message) => console.error(message, obj.err !== undefined ? obj.err : obj),
  warn: (obj, message) => console.warn(message, obj.err !== undefined ? obj.err : obj),
  info: (obj, message) => console.info(message, obj.err !== undefined ? obj.err : obj),
};

/** A logger that drops everything (`logger: false`). */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
};
