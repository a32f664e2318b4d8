import { closeSync, read } from 'node:fs';
import type { FdBudget } from './fd-budget.js';

/** A piece of a file body: literal bytes, or the inclusive byte range [start, end] of the file. */
export type FilePiece = Uint8Array | { start: number; end: number };

/** Bytes read from the file per chunk on the streamed (JS) path. */
const CHUNK = 128 * 1024;

function readAt(fd: number, buf: Buffer, n: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, n, pos, (err, bytes) => (err === null ? resolve(bytes) : reject(err)));
  });
}

/**
 * The body of a file response: an `AsyncIterable` of its pieces read from an open descriptor
 * (the descriptor and its budget slot are this object's; they are released when the iteration ends,
 * fails or is cancelled with `return()`). It never reads past a piece's end, so never more than the
 * length announced; a file that became shorter since it was measured makes the iteration throw
 * (the connection is then closed: the client sees fewer bytes than the `Content-Length`).
 * A transport that can send a file natively takes the descriptor over with `takeNative()`.
 */
export class FileStream implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  private index = 0;
  private pos = -1;
  private released = false;
  /** Reused read buffers (see `reuseBuffers`): each with the byte count yielded when it last went out. */
  private ring: Array<{ buf: Buffer; end: number }> | null = null;
  private keepBehind = 0;
  private yielded = 0;
  /** A read is in flight: the descriptor is closed after it (never under a pending read). */
  private reading = false;
  private closeAfterRead = -1;

  constructor(
    private fd: number,
    private readonly pieces: readonly FilePiece[],
    private readonly budget: FdBudget | null,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    try {
      for (;;) {
        if (this.released) return { done: true, value: undefined };
        const piece = this.pieces[this.index];
        if (piece === undefined) {
          this.release();
          return { done: true, value: undefined };
        }
        if (piece instanceof Uint8Array) {
          this.index++;
          this.yielded += piece.byteLength;
          return { done: false, value: piece };
        }
        if (this.pos < 0) this.pos = piece.start;
        const left = piece.end + 1 - this.pos;
        if (left <= 0) {
          this.index++;
          this.pos = -1;
          continue;
        }
        const n = Math.min(CHUNK, left);
        const slot = this.slot();
        const buf = slot === null ? Buffer.allocUnsafe(n) : slot.buf.subarray(0, n);
        let got: number;
        this.reading = true;
        try {
          got = await readAt(this.fd, buf, n, this.pos);
        } finally {
          this.reading = false;
          if (this.closeAfterRead >= 0) {
            closeSync(this.closeAfterRead);
            this.closeAfterRead = -1;
          }
        }
        if (this.released) return { done: true, value: undefined };
        if (got === 0) throw new Error(`The file became shorter while it was being sent (${left} bytes missing)`);
        this.pos += got;
        this.yielded += got;
        if (slot !== null) slot.end = this.yielded;
        return { done: false, value: got === n ? buf : buf.subarray(0, got) };
      }
    } catch (err) {
      this.release();
      throw err;
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.release();
    return { done: true, value: undefined };
  }

  /**
   * Read into a few reused buffers instead of a new one per chunk (no garbage per chunk, so memory
   * does not wait for the GC): a buffer is reused only once more than `highWaterMark` + two chunks
   * were yielded after it — the transport counts every byte written and not yet sent in its unsent
   * output, and the sender pulls only while that is under `highWaterMark`, so such a buffer is sent.
   * @param highWaterMark the transport's (`Responder.highWaterMark`)
   */
  reuseBuffers(highWaterMark: number): void {
    if (!Number.isFinite(highWaterMark) || highWaterMark < 0 || this.ring !== null) return;
    this.ring = [];
    this.keepBehind = highWaterMark + 2 * CHUNK;
  }

  /** A ring buffer that is safe to reuse (or a new one while the ring is not full), else null. */
  private slot(): { buf: Buffer; end: number } | null {
    const ring = this.ring;
    if (ring === null) return null;
    for (const s of ring) {
      if (this.yielded - s.end >= this.keepBehind) {
        s.end = Number.POSITIVE_INFINITY; // in use until it goes out
        return s;
      }
    }
    if (ring.length >= Math.ceil(this.keepBehind / CHUNK) + 1) return null;
    const s = { buf: Buffer.allocUnsafe(CHUNK), end: Number.POSITIVE_INFINITY };
    ring.push(s);
    return s;
  }

  /**
   * The one file range to send, when the body is exactly one range (no literal pieces): a native
   * sender takes it over. `closeFd()` closes this descriptor (once the transport has its own copy);
   * `done()` frees the budget slot when the transport is finished (both idempotent).
   * @returns null when the body is not a single range, or already started or released
   */
  takeNative(): { fd: number; start: number; length: number; closeFd: () => void; done: () => void } | null {
    const piece = this.pieces[0];
    if (this.released || this.index !== 0 || this.pos >= 0 || this.pieces.length !== 1 || piece instanceof Uint8Array || piece === undefined) return null;
    this.index = 1;
    const fd = this.fd;
    this.fd = -1; // closed by closeFd only (release() must not close it a second time)
    let open = true;
    return {
      fd, start: piece.start, length: piece.end + 1 - piece.start,
      closeFd: () => {
        if (!open) return;
        open = false;
        closeSync(fd); // a regular file: closing does not block
      },
      done: () => this.release(),
    };
  }

  /** Close the descriptor and free the budget slot (idempotent). */
  private release(): void {
    if (this.released) return;
    this.released = true;
    const fd = this.fd;
    this.fd = -1;
    if (fd >= 0 && this.reading) this.closeAfterRead = fd;
    else if (fd >= 0) closeSync(fd); // a regular file: closing does not block
    this.budget?.release();
  }
}
