/** Where jato reports handler errors and warnings. `console` satisfies it. */
export interface Logger {
  error(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
}

/** The default logger: the console. */
export const consoleLogger: Logger = {
  error: (message, ...details) => console.error(message, ...details),
  warn: (message, ...details) => console.warn(message, ...details),
  info: (message, ...details) => console.info(message, ...details),
};

/** A logger that drops everything (`logger: false`). */
export const silentLogger: Logger = {
  error: () => {},
  warn: () => {},
  info: () => {},
};
