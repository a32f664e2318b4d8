import type { WsEventBatch } from '../ws-transport.js';
import type { InputBuffers } from './addon.js';
import { type FastBuffer, fastBuffer } from './buffer-internals.js';
import { WsCol } from './layout.js';

/** WsEventBatch over the native loop's shared memory (the event table and the input arena). */
export class NativeWsEventBatch implements WsEventBatch {
  count = 0;
  private table!: Uint32Array;
  private arena!: FastBuffer;

  constructor(buffers: InputBuffers) {
    this.rebind(buffers);
  }

  /** Re-attach after the loop grew its memory. */
  rebind(buffers: InputBuffers): void {
    this.table = new Uint32Array(buffers.ws);
    this.arena = fastBuffer(buffers.arena);
  }

  conn(i: number): number {
    return this.table[i * WsCol.Count + WsCol.Conn]!;
  }

  kind(i: number): number {
    return this.table[i * WsCol.Count + WsCol.Kind]!;
  }

  code(i: number): number {
    return this.table[i * WsCol.Count + WsCol.Code]!;
  }

  text(i: number): string {
    const off = this.table[i * WsCol.Count + WsCol.Off]!;
    return this.arena.utf8Slice(off, off + this.table[i * WsCol.Count + WsCol.Len]!);
  }

  data(i: number): Uint8Array {
    const off = this.table[i * WsCol.Count + WsCol.Off]!;
    return this.arena.subarray(off, off + this.table[i * WsCol.Count + WsCol.Len]!);
  }
}
