import type { FastBuffer } from './buffer-internals.js';

/** Longer strings are not kept (memory): they are encoded each time, as without this. */
const KEEP_MAX = 4096;

/**
 * The bytes of a string that is written again and again (a cached head prefix, a fixed body, the
 * start of a numbered header line), recognised by identity with the previous string written here.
 * The first time a string comes twice in a row its bytes are kept (one copy); from then on it is
 * copied into the arena without encoding it again (`TypedArray#set`, one memmove: ~160 instructions
 * a call, about what `copyWithin` from an earlier response costs, but the kept bytes outlive the
 * batch and a head and a numbered line start go in one call). Kept across batches. @internal
 */
export class RepeatBytes {
  private text: string | null = null;
  private second = '';
  private bytes: Uint8Array | null = null;

  /** Write `text` at `p` of `a` (latin1 or UTF-8): the bytes written. `a` has room for them. */
  write(a: FastBuffer, p: number, text: string, utf8: boolean): number {
    if (text === this.text && this.second === '') {
      const b = this.bytes;
      if (b !== null) {
        // one memmove (a JS byte loop costs more than the call even for a dozen bytes)
        a.set(b, p);
        return b.length;
      }
      return this.keep(a, p, utf8 ? a.utf8Write(text, p) : a.latin1Write(text, p));
    }
    this.text = text;
    this.second = '';
    this.bytes = null;
    return utf8 ? a.utf8Write(text, p) : a.latin1Write(text, p);
  }

  /** Write `first` then `second` (both latin1, `second` not empty) as one run: the bytes written. */
  writePair(a: FastBuffer, p: number, first: string, second: string): number {
    if (first === this.text && second === this.second) {
      const b = this.bytes;
      if (b !== null) {
        a.set(b, p);
        return b.length;
      }
      const n = a.latin1Write(first, p);
      return this.keep(a, p, n + a.latin1Write(second, p + n));
    }
    this.text = first;
    this.second = second;
    this.bytes = null;
    const n = a.latin1Write(first, p);
    return n + a.latin1Write(second, p + n);
  }

  /** The `n` bytes just written at `p` came a second time: keep a copy of them (unless too long). */
  private keep(a: FastBuffer, p: number, n: number): number {
    if (n > KEEP_MAX) return n;
    const kept = new Uint8Array(n);
    kept.set(a.subarray(p, p + n));
    this.bytes = kept;
    return n;
  }
}

/**
 * Write the decimal digits of `n` (a non-negative safe integer) at `p` of `a`: the count written.
 * Made of digits only, so a header value made with it is valid by construction. Up to 2^31 - 1 in
 * int32 arithmetic (a float modulo is a C call per digit); above, through its string.
 * @internal
 */
export function writeDecimal(a: FastBuffer, p: number, n: number): number {
  if (n > 0x7fffffff) return a.latin1Write(String(n), p);
  let v = n | 0;
  const len = v < 100_000 ? (v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : v < 10_000 ? 4 : 5)
    : v < 10_000_000 ? (v < 1_000_000 ? 6 : 7) : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
  let q = p + len;
  do {
    const d = (v / 10) | 0;
    a[--q] = 48 + v - d * 10;
    v = d;
  } while (v !== 0);
  return len;
}
