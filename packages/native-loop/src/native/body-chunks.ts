import type { BodyChunks } from '../stream-input.js';
import type { InputBuffers } from './addon.js';

/** Columns of the body-chunk table (mirrors native/body_stream.hpp). */
const enum ChunkCol { Conn = 0, Seq, Off, Len, End, Count }

/**
 * `BodyChunks` over the native loop's shared memory: the body-chunk table (conn, seq, arena offset,
 * length, end per chunk) and the input arena the chunk bytes were copied into. Valid only during the
 * `onBodyChunks` call that received it (the views are of memory the next turn reuses).
 */
export class NativeBodyChunks implements BodyChunks {
  count = 0;
  private table!: Uint32Array;
  private arena!: Uint8Array;

  constructor(buffers: InputBuffers) {
    this.rebind(buffers);
  }

  /** Re-attach after the loop grew its memory. */
  rebind(buffers: InputBuffers): void {
    this.table = new Uint32Array(buffers.bodies);
    this.arena = new Uint8Array(buffers.arena);
  }

  conn(k: number): number {
    return this.table[k * ChunkCol.Count + ChunkCol.Conn]!;
  }

  seq(k: number): number {
    return this.table[k * ChunkCol.Count + ChunkCol.Seq]!;
  }

  data(k: number): Uint8Array {
    const off = this.table[k * ChunkCol.Count + ChunkCol.Off]!;
    return this.arena.subarray(off, off + this.table[k * ChunkCol.Count + ChunkCol.Len]!);
  }

  end(k: number): number {
    return this.table[k * ChunkCol.Count + ChunkCol.End]!;
  }
}
