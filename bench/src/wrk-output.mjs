// @ts-check
/** Parser for the text report wrk 4.x prints. */

/**
 * What the bench takes from one wrk report.
 * @typedef {{
 *   requests: number,
 *   durationSeconds: number,
 *   requestsPerSecond: number,
 *   bytesRead: number,
 *   socketErrors: { connect: number, read: number, write: number, timeout: number },
 *   non2xx3xx: number,
 *   latencyAvgMs: number | undefined,
 *   latencyMaxMs: number | undefined,
 * }} WrkReport
 */

const TIME_UNITS = /** @type {Record<string, number>} */ ({ us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 });
const SIZE_UNITS = /** @type {Record<string, number>} */ ({ B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 });

/**
 * Converts a wrk time such as `10.00s`, `1.00m`, `345.00us` to seconds.
 * @param {string} text
 * @returns {number}
 */
export function parseWrkTime(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`unrecognised wrk time: ${JSON.stringify(text)}`);
  return Number(m[1]) * /** @type {number} */ (TIME_UNITS[/** @type {string} */ (m[2])]);
}

/**
 * Converts a wrk size such as `14.26MB` or `512.00B` to bytes.
 * @param {string} text
 * @returns {number}
 */
export function parseWrkSize(text) {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  if (!m) throw new Error(`unrecognised wrk size: ${JSON.stringify(text)}`);
  return Number(m[1]) * /** @type {number} */ (SIZE_UNITS[/** @type {string} */ (m[2])]);
}

/**
 * Parses a wrk report. Throws with the report's text when the summary lines are missing (for example
 * when wrk could not connect at all), so a broken run is never read as zero requests.
 * Socket errors and non-2xx/3xx counts are 0 when wrk leaves their lines out (it prints them only
 * when non-zero).
 * @param {string} text
 * @returns {WrkReport}
 */
export function parseWrkOutput(text) {
  const total = /^\s*(\d+) requests in ([\d.]+(?:us|ms|s|m|h)), ([\d.]+(?:B|KB|MB|GB|TB)) read\s*$/m.exec(text);
  const rps = /^Requests\/sec:\s+([\d.]+)\s*$/m.exec(text);
  if (!total || !rps) throw new Error(`wrk report without a summary:\n${text.trim()}`);
  const sock = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$/m.exec(text);
  const status = /^\s*Non-2xx or 3xx responses: (\d+)\s*$/m.exec(text);
  const lat = /^\s*Latency\s+([\d.]+(?:us|ms|s|m|h))\s+\S+\s+([\d.]+(?:us|ms|s|m|h))/m.exec(text);
  return {
    requests: Number(total[1]),
    durationSeconds: parseWrkTime(/** @type {string} */ (total[2])),
    bytesRead: parseWrkSize(/** @type {string} */ (total[3])),
    requestsPerSecond: Number(rps[1]),
    socketErrors: {
      connect: sock ? Number(sock[1]) : 0,
      read: sock ? Number(sock[2]) : 0,
      write: sock ? Number(sock[3]) : 0,
      timeout: sock ? Number(sock[4]) : 0,
    },
    non2xx3xx: status ? Number(status[1]) : 0,
    latencyAvgMs: lat ? parseWrkTime(/** @type {string} */ (lat[1])) * 1000 : undefined,
    latencyMaxMs: lat ? parseWrkTime(/** @type {string} */ (lat[2])) * 1000 : undefined,
  };
}

/**
 * Sum of wrk's socket errors of every kind.
 * @param {WrkReport} r
 * @returns {number}
 */
export function socketErrorCount(r) {
  const e = r.socketErrors;
  return e.connect + e.read + e.write + e.timeout;
}
