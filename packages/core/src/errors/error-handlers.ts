/** A constructor usable as an error class key (`Error`, `TypeError`, your own classes…). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass<E = unknown> = abstract new (...args: any[]) => E;

/**
 * Error handlers keyed by class. `find(err)` walks err's prototype chain and returns the handler of
 * the nearest registered class, so a handler for `HttpError` catches its subclasses unless one of
 * them has its own.
 */
export class ErrorHandlers<H> {
  private readonly byPrototype = new Map<object, H>();

  get size(): number {
    return this.byPrototype.size;
  }

  set(cls: ErrorClass, handler: H): void {
    if (typeof cls !== 'function' || typeof cls.prototype !== 'object' || cls.prototype === null) {
      throw new TypeError('onError expects an error class (a constructor)');
    }
    this.byPrototype.set(cls.prototype as object, handler);
  }

  find(err: unknown): H | undefined {
    if (this.byPrototype.size === 0 || err === null || (typeof err !== 'object' && typeof err !== 'function')) {
      return undefined;
    }
    for (let p = Object.getPrototypeOf(err) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
      const h = this.byPrototype.get(p);
      if (h !== undefined) return h;
    }
    return undefined;
  }
}
