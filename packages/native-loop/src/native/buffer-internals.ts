/**
 * Node's Buffer binding methods that skip `buf.toString` / `buf.write` argument handling.
 * Present on every Buffer since Node 0.x (`lib/buffer.js`), not in @types/node.
 */
export interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length?: number): number;
  utf8Write(s: string, offset: number, length?: number): number;
  utf8Slice(start: number, end: number): string;
}

/** A Buffer over `ab` with the fast methods typed. */
export function fastBuffer(ab: ArrayBuffer): FastBuffer {
  return Buffer.from(ab) as FastBuffer;
}

/** A new zeroed Buffer with the fast methods typed. */
export function allocFast(size: number): FastBuffer {
  return Buffer.alloc(size) as FastBuffer;
}
