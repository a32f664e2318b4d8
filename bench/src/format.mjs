// @ts-check
/** Number formatting shared by the table and the chart. */

/**
 * Integer with thousands separators: 1214440 → "1,214,440".
 * @param {number} n
 */
export function thousands(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

/**
 * Fraction as a whole percentage: 0.934 → "93 %".
 * @param {number} x
 */
export function percent(x) {
  return Number.isFinite(x) ? `${Math.round(x * 100)} %` : '–';
}

/**
 * Microseconds with two decimals below 10, one above.
 * @param {number} us
 */
export function micros(us) {
  if (!Number.isFinite(us)) return '–';
  return us < 10 ? us.toFixed(2) : us.toFixed(1);
}

/**
 * Bytes as MiB with one decimal.
 * @param {number} b
 */
export function mib(b) {
  return Number.isFinite(b) && b > 0 ? (b / 1024 / 1024).toFixed(1) : '–';
}
