/** Node's fast latin1 decoder on Buffers (one native call, no intermediate copies). */
interface Latin1Sliceable {
  latin1Slice(start: number, end: number): string;
}

/** Decodes bytes [start, end) of a Buffer as latin1 (one char per byte). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1Sliceable).latin1Slice(start, end);
}

/** Views any Uint8Array as a Buffer without copying. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
