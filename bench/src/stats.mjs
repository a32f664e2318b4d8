// @ts-check
/** Small statistics over repeated runs: median with min–max. */

/**
 * @typedef {{ median: number, min: number, max: number, n: number }} Summary
 */

/**
 * Median (mean of the two middle values for an even count), min and max of finite values.
 * NaN/undefined entries are ignored; an empty input gives NaN everywhere and n = 0.
 * @param {ReadonlyArray<number | undefined>} values
 * @returns {Summary}
 */
export function summarize(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).map(Number).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = n >> 1;
  const median = n % 2 === 1 ? /** @type {number} */ (xs[mid]) : (/** @type {number} */ (xs[mid - 1]) + /** @type {number} */ (xs[mid])) / 2;
  return { median, min: /** @type {number} */ (xs[0]), max: /** @type {number} */ (xs[n - 1]), n };
}
