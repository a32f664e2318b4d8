/**
 * The waits of a raw test client: predicates re-checked on every arrival and on close (the client
 * calls {@link notify}), never by polling or sleeping.
 */
export class ArrivalWaiters {
  private waiters: Array<() => void> = [];

  /** `closed()` tells whether the connection closed; `describe()` what arrived, for failures. */
  constructor(
    private readonly closed: () => boolean,
    private readonly describe: () => string,
  ) {}

  /** Resolves once `holds()` is true; rejects when the connection closed first, or after `ms`. */
  until(holds: () => boolean, ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out: ${this.describe()}`)), ms);
      const check = (): void => {
        if (holds()) {
          clearTimeout(timer);
          resolve();
        } else if (this.closed()) {
          clearTimeout(timer);
          reject(new Error(`closed: ${this.describe()}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Re-checks every pending wait (call on each arrival and on close). */
  notify(): void {
    const list = this.waiters;
    this.waiters = [];
    for (const w of list) w();
  }
}
