const U64_MAX = [0x31, 0x38, 0x34, 0x34, 0x36, 0x37, 0x34, 0x34, 0x30, 0x37, 0x33, 0x37, 0x30, 0x39, 0x35, 0x35, 0x31, 0x36, 0x31, 0x35];

/**
 * Parses a Content-Length value, bytes [start, end) (RFC 9110 §8.6): 1*DIGIT, leading zeros
 * allowed, no sign, no list, overflow-checked against uint64. Returns -1 when invalid; values above
 * 2^53 come back imprecise but always larger than any body limit.
 */
export function parseContentLength(buf: Uint8Array, start: number, end: number): number {
  if (start === end) return -1;
  let first = -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    if (first < 0 && d !== 0) first = i;
    value = value * 10 + d;
  }
  if (first >= 0) {
    const sig = end - first;
    if (sig > 20) return -1;
    if (sig === 20) {
      for (let k = 0; k < 20; k++) {
        const c = buf[first + k]!;
        if (c !== U64_MAX[k]) {
          if (c > U64_MAX[k]!) return -1;
          break;
        }
      }
    }
  }
  return value;
}
