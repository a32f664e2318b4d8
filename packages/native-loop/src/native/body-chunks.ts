import type { BodyChunks } from '../stream-input.js';
import type { InputBuffers } from './addon.js';

/** Columns of the body-chunk table (mirrors native/body_stream.hpp); word 0 holds the chunk count, rows start at row 1. */
const enum ChunkCol { Conn = 0, Seq, Off, Len, End, Count }

/**
 * `BodyChunks` over the native loop's shared memory: the body-chunk table (conn, seq, arena offset,
 * length, end per chunk) and the input arena the chunk bytes were copied into. Valid only during the
 * `onBodyChunks` call that received it (the views are of memory the next turn reuses).
 */
export class NativeBodyChunks implements BodyChunks {
  count = 0;
  /** The table; row k is at words (k + 1) * ChunkCol.Count. */
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
    return this.arena.subarray(off, off + this.table[base + ChunkCol.Len]!);
  }

  end(k: number): number {
    return this.table[(k + 1) * ChunkCol.Count + ChunkCol.End]!;
  }
}
