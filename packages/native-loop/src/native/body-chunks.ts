import type { BodyChunks } from '../stream-input.js';
import type { InputBuffers } from './addon.js';

/** Above this many body buffers in one call the array is emptied instead (its length is not kept). */
const MAX_KEPT_SLOTS = 256;

/** Columns of the body-chunk table (mirrors native/body_stream.hpp); word 0 holds the chunk count, rows start at row 1. */
const enum ChunkCol { Conn = 0, Seq, Off, Len, End, Buf, Count }

/**
 * `BodyChunks` over the native loop's shared memory: the body-chunk table (conn, seq, offset, length,
 * end, buffer per chunk). A chunk's bytes are in the input arena (buffer 0: copied there, valid only
 * during the `onBodyChunks` call) or in a body buffer the loop read them into (buffer k: index k - 1
 * of this call's body-buffer array, memory JS keeps: `keep(k)` is a view, not a copy).
 */
export class NativeBodyChunks implements BodyChunks {
  count = 0;
  /** The table; row k is at words (k + 1) * ChunkCol.Count. */
  private table!: Uint32Array;
  private arena!: Uint8Array;
  /** This call's body buffers (the loop fills the array; emptied after each call). */
  private buffers!: Uint8Array[];

  constructor(buffers: InputBuffers) {
    this.rebind(buffers);
  }

  /** Re-attach after the loop grew its memory. */
  rebind(buffers: InputBuffers): void {
    this.table = new Uint32Array(buffers.bodies);
    this.arena = new Uint8Array(buffers.arena);
    this.buffers = buffers.bodyBuffers;
  }

  /**
   * The call is over: the body buffers are no longer referenced from here. The loop fills the array
   * from index 0 each call, so the entries are cleared up to the first empty one and the array keeps
   * its length and storage (the loop's next stores are in bounds: no growth, no new backing store).
   */
  done(): void {
    const b = this.buffers as Array<Uint8Array | undefined>;
    if (b.length > MAX_KEPT_SLOTS) {
      b.length = 0;
      return;
    }
    for (let i = 0; i < b.length && b[i] !== undefined; i++) b[i] = undefined;
  }

  /** The number of chunks the loop wrote for the current call. */
  pending(): number {
    return this.table[0]!;
  }

  conn(k: number): number {
    return this.table[(k + 1) * ChunkCol.Count + ChunkCol.Conn]!;
  }

  seq(k: number): number {
    return this.table[(k + 1) * ChunkCol.Count + ChunkCol.Seq]!;
  }

  data(k: number): Uint8Array {
    const base = (k + 1) * ChunkCol.Count;
    const off = this.table[base + ChunkCol.Off]!;
    const buf = this.table[base + ChunkCol.Buf]!;
    return (buf === 0 ? this.arena : this.buffers[buf - 1]!).subarray(off, off + this.table[base + ChunkCol.Len]!);
  }

  keep(k: number): Uint8Array {
    const base = (k + 1) * ChunkCol.Count;
    const off = this.table[base + ChunkCol.Off]!;
    const len = this.table[base + ChunkCol.Len]!;
    const buf = this.table[base + ChunkCol.Buf]!;
    if (buf !== 0) return this.buffers[buf - 1]!.subarray(off, off + len); // memory of its own: no copy
    const copy = new Uint8Array(Buffer.allocUnsafeSlow(len).buffer, 0, len);
    copy.set(this.arena.subarray(off, off + len));
    return copy;
  }

  end(k: number): number {
    return this.table[(k + 1) * ChunkCol.Count + ChunkCol.End]!;
  }
}
