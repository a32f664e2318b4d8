import { METHOD_NAMES, type MethodId } from '@jato/parser';
import type { RequestBatch } from '../types.js';
import { type FastBuffer, fastBuffer } from './buffer-internals.js';
import type { InputBuffers } from './addon.js';
import { Col } from './layout.js';

// a module-level copy: the per-request code reads a local binding, not an import's property (CJS)
const NAMES: readonly string[] = METHOD_NAMES;

/** Longest target / header span compared against the previous one before slicing anew. */
const MAX_REUSE = 512;

/** The lines of a request without header lines (shared: readers never modify the array). */
const NO_LINES: readonly string[] = [];

/** Whether `arena[off, off + s.length)` holds the latin1 bytes of `s`. */
function sameBytes(arena: Uint8Array, off: number, s: string): boolean {
  for (let k = 0; k < s.length; k++) if (arena[off + k] !== s.charCodeAt(k)) return false;
  return true;
}

/**
 * RequestBatch over the native loop's shared memory: a Uint32Array request table, a header table and
 * an arena holding each request's head bytes and body. Nothing is decoded until asked for.
 * Valid only during the `onBatch` call that received it.
 */
export class NativeRequestBatch implements RequestBatch {
  count = 0;
  private table!: Uint32Array;
  private headers!: Uint32Array;
  private arena!: FastBuffer;
  private lastTarget = '';
  private lastSpan = '';
  private lastLines: readonly string[] = [];

  constructor(buffers: InputBuffers) {
    this.rebind(buffers);
  }

  /** Re-attach after the loop grew its memory. */
  rebind(buffers: InputBuffers): void {
    this.table = new Uint32Array(buffers.table);
    this.headers = new Uint32Array(buffers.headers);
    this.arena = fastBuffer(buffers.arena);
  }

  conn(i: number): number {
    return this.table[i * Col.Count + Col.Conn]!;
  }

  seq(i: number): number {
    return this.table[i * Col.Count + Col.Seq]!;
  }

  method(i: number): MethodId {
    return this.table[i * Col.Count + Col.Method]! as MethodId;
  }

  methodName(i: number): string {
    const m = this.table[i * Col.Count + Col.Method]!;
    if (m !== 0) return NAMES[m]!;
    const off = this.table[i * Col.Count + Col.MethodOff]!;
    return this.arena.latin1Slice(off, off + this.table[i * Col.Count + Col.MethodLen]!);
  }

  flags(i: number): number {
    return this.table[i * Col.Count + Col.Flags]!;
  }

  target(i: number): string {
    const base = i * Col.Count;
    const off = this.table[base + Col.TargetOff]!;
    const len = this.table[base + Col.TargetLen]!;
    // The same target as the previous request (common: clients repeat URLs) is the same string:
    // comparing a few bytes is cheaper than a Buffer binding call, and its hash is already computed.
    const last = this.lastTarget;
    if (len === last.length && len <= MAX_REUSE && sameBytes(this.arena, off, last)) return last;
    return (this.lastTarget = this.arena.latin1Slice(off, off + len));
  }

  headerCount(i: number): number {
    return this.table[i * Col.Count + Col.HeaderCount]!;
  }

  headerName(i: number, j: number): string {
    const h = (this.table[i * Col.Count + Col.HeaderIndex]! + j) * 4;
    const off = this.headers[h]!;
    return this.arena.latin1Slice(off, off + this.headers[h + 1]!);
  }

  headerValue(i: number, j: number): string {
    const h = (this.table[i * Col.Count + Col.HeaderIndex]! + j) * 4;
    const off = this.headers[h + 2]!;
    return this.arena.latin1Slice(off, off + this.headers[h + 3]!);
  }

  headerIndexOf(i: number, key: string, from: number): number {
    const base = i * Col.Count;
    const n = this.table[base + Col.HeaderCount]!;
    const hs = this.headers;
    const a = this.arena;
    const len = key.length;
    for (let j = from, h = (this.table[base + Col.HeaderIndex]! + from) * 4; j < n; j++, h += 4) {
      // the length first: most names differ in it, and then no byte is read
      if (hs[h + 1] !== len) continue;
      const off = hs[h]!;
      let k = 0;
      for (; k < len; k++) {
        let c = a[off + k]!;
        if (c >= 65 && c <= 90) c += 32;
        if (c !== key.charCodeAt(k)) break;
      }
      if (k === len) return j;
    }
    return -1;
  }

  headerLines(i: number): readonly string[] {
    const base = i * Col.Count;
    const n = this.table[base + Col.HeaderCount]!;
    if (n === 0) return NO_LINES;
    const first = this.table[base + Col.HeaderIndex]! * 4;
    const hs = this.headers;
    // The span of batch memory holding every name and value (normally the header section itself).
    let lo = hs[first]!;
    let hi = lo;
    let used = 0;
    for (let h = first, end = first + n * 4; h < end; h += 4) {
      const no = hs[h]!;
      const ve = hs[h + 2]! + hs[h + 3]!;
      if (no < lo) lo = no;
      if (ve > hi) hi = ve;
      used += hs[h + 1]! + hs[h + 3]!;
    }
    if (hi - lo > 2 * used + 4 * n + 64) {
      const lines = new Array<string>(n * 2);
      // scattered lines (not expected from the loop): slice each rather than copy what lies between
      for (let j = 0, h = first; j < n; j++, h += 4) {
        lines[2 * j] = this.arena.latin1Slice(hs[h]!, hs[h]! + hs[h + 1]!);
        lines[2 * j + 1] = this.arena.latin1Slice(hs[h + 2]!, hs[h + 2]! + hs[h + 3]!);
      }
      return lines;
    }
    // Byte-for-byte the same lines as the previous call: the same array (readers never change it;
    // not frozen: TurboFan does not inline element loads from frozen arrays).
    const lastSpan = this.lastSpan;
    if (hi - lo === lastSpan.length && n * 2 === this.lastLines.length && hi - lo <= MAX_REUSE &&
      sameBytes(this.arena, lo, lastSpan)) {
      return this.lastLines;
    }
    // One copy out of batch memory, then substrings of it (no further calls into the Buffer binding).
    const lines = new Array<string>(n * 2);
    const span = this.arena.latin1Slice(lo, hi);
    for (let j = 0, h = first; j < n; j++, h += 4) {
      const no = hs[h]! - lo;
      const vo = hs[h + 2]! - lo;
      lines[2 * j] = span.slice(no, no + hs[h + 1]!);
      lines[2 * j + 1] = span.slice(vo, vo + hs[h + 3]!);
    }
    this.lastSpan = span;
    return (this.lastLines = lines);
  }

  body(i: number): Uint8Array {
    const base = i * Col.Count;
    const off = this.table[base + Col.BodyOff]!;
    return this.arena.subarray(off, off + this.table[base + Col.BodyLen]!);
  }
}
