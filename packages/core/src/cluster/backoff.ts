/** Respawn backoff settings (milliseconds). */
export interface BackoffOptions {
  /** Delay before the first respawn of a slot (100). */
  initialMs?: number;
  /** Upper bound of the delay (10 000). */
  maxMs?: number;
  /** A worker that stayed up this long resets its slot's delay to `initialMs` (10 000). */
  stableMs?: number;
}

/**
 * Exponential respawn delay per worker slot: initial, ×2 per consecutive crash, capped; a worker
 * that ran for `stableMs` before crashing starts again from the initial delay.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly stableMs: number;
  private crashes = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 100;
    this.maxMs = options.maxMs ?? 10_000;
    this.stableMs = options.stableMs ?? 10_000;
  }

  /** The delay before respawning a worker that crashed after running for `uptimeMs`. */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.stableMs) this.crashes = 0;
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** this.crashes);
    this.crashes = Math.min(this.crashes + 1, 30);
    return delay;
  }
}
