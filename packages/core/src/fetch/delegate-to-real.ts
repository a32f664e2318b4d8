/**
 * Gives `proto` (a stand-in class's prototype: `LazyRequest`, `LightResponse`) every attribute and
 * method of the runtime's `base` prototype (`Request.prototype`, `Response.prototype`) that it does not
 * define itself, each answered by the real object `realOf(this)` (built by the stand-in on first need),
 * then makes `base` the next prototype in its chain, so that `instanceof` the runtime's class holds.
 * @internal
 */
export function delegateToReal<T extends object>(proto: T, base: object, realOf: (self: T) => object): void {
  const own = proto as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(base)) {
    if (name === 'constructor' || Object.prototype.hasOwnProperty.call(own, name)) continue;
    const d = Object.getOwnPropertyDescriptor(base, name)!;
    if (typeof d.get === 'function') {
      Object.defineProperty(own, name, {
        configurable: true,
        get(this: T) {
          return Reflect.get(base, name, realOf(this)) as unknown;
        },
      });
    } else if (typeof d.value === 'function') {
      const fn = d.value as (...args: unknown[]) => unknown;
      Object.defineProperty(own, name, {
        configurable: true,
        writable: true,
        value(this: T, ...args: unknown[]) {
          return fn.apply(realOf(this), args);
        },
      });
    }
  }
  Object.setPrototypeOf(proto, base);
}
