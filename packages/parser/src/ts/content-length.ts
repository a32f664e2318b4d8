const U64_MAX = '18446744073709551615';

/**
 * Parses a Content-Length value (RFC 9110 §8.6): 1*DIGIT, leading zeros allowed, no sign, no list,
 * overflow-checked against uint64. Returns -1 when invalid; values above 2^53 come back imprecise
 * but always larger than any body limit.
 */
export function parseContentLength(v: string): number {
  const n = v.length;
  if (n === 0) return -1;
  let first = -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    if (first < 0 && d !== 0) first = i;
    value = value * 10 + d;
  }
  if (first >= 0) {
    const sig = n - first;
    if (sig > 20 || (sig === 20 && v.slice(first) > U64_MAX)) return -1;
  }
  return value;
}
