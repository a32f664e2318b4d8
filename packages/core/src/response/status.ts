import { STATUS_TEXT } from '@jato/native-loop';

/**
 * The HTTP status registry (`STATUS_TEXT`, defined once in @jato/parser, re-exported by
 * @jato/native-loop). A jato response may only carry a final status (200–599) listed here: anything
 * else is an error at creation time, never a malformed status line on the wire.
 */
export { STATUS_TEXT };

/** Pre-rendered status lines (`HTTP/1.1 200 OK\r\n`), indexed by status code. */
export const STATUS_LINE: readonly string[] = (() => {
  const lines: string[] = [];
  for (const [code, text] of Object.entries(STATUS_TEXT)) lines[Number(code)] = `HTTP/1.1 ${code} ${text}\r\n`;
  return lines;
})();

/**
 * Throws a RangeError unless `status` is an integer final status code in the registry.
 * @returns the status, for chaining
 */
export function checkStatus(status: number): number {
  if (!isStatus(status)) {
    throw new RangeError(
      `Invalid HTTP status ${String(status)}: expected a registered final status code (an integer 200-599)`,
    );
  }
  return status;
}

/** True when `status` is a number with a pre-rendered status line (a registered 200–599 code). */
export function isStatus(status: unknown): status is number {
  return typeof status === 'number' && STATUS_LINE[status] !== undefined;
}

/** Statuses whose responses never carry a body (RFC 9110 §6.4.1). */
export function isBodyless(status: number): boolean {
  return status === 204 || status === 304;
}
