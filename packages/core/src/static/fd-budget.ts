/**
 * A bound on the file descriptors held by files being streamed. A file served whole from memory
 * (small files) holds its descriptor only within one synchronous call and is not counted; a
 * streamed file holds one slot until it is sent, cancelled or fails. When every slot is taken the
 * request gets `503 Service Unavailable` with `Retry-After: 1` (never `EMFILE`): a slow download
 * cannot make the process run out of descriptors.
 */
export class FdBudget {
  private used = 0;

  /** @param max slots (a positive integer) */
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxOpenFiles must be a positive integer, got ${String(max)}`);
  }

  /** Take a slot; false when none is free. */
  tryAcquire(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  /** Give a slot back (once per successful `tryAcquire`). */
  release(): void {
    if (this.used > 0) this.used--;
  }

  /** Slots in use. */
  get inUse(): number {
    return this.used;
  }
}

/** The budget of `file()` responses and of `serveStatic` without its own `maxOpenFiles` (256). */
export const DEFAULT_FD_BUDGET = new FdBudget(256);
