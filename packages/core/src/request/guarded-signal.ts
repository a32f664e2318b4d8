/**
 * `req.signal`'s listeners cannot take the process down. Node's `EventTarget` reports an exception
 * thrown by an event listener (or a rejection of a listener's promise) as an uncaught exception,
 * which ends the process. jato fires `req.signal` itself (the client left, the route timed out), so
 * the signal it hands out gets its own `addEventListener`, `removeEventListener` and `onabort`: each
 * listener is registered wrapped, and what it throws or rejects with goes to `report` (the app's
 * logger) instead. Everything else is the platform's `AbortSignal` (`aborted`, `reason`,
 * `throwIfAborted()`, passing it to `fetch`, `AbortSignal.any`).
 *
 * Not covered (the platform's own dispatch): listeners of another signal derived from it
 * (`AbortSignal.any([req.signal])`, `AbortSignal.timeout`), and calling
 * `EventTarget.prototype.addEventListener` on it directly.
 */

type ListenerFn = (this: unknown, event: Event) => unknown;
type Listener = ListenerFn | { handleEvent(event: Event): unknown };
type Report = (err: unknown) => void;
type Options = boolean | { capture?: boolean; once?: boolean; passive?: boolean; signal?: AbortSignal };

const addListener = EventTarget.prototype.addEventListener;
const removeListener = EventTarget.prototype.removeEventListener;
const onabortSetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'onabort')?.set;

function captureOf(options: Options | undefined): boolean {
  return typeof options === 'boolean' ? options : options?.capture === true;
}

/** `listener` wrapped: what it throws or rejects with is reported, never rethrown. */
function guarded(listener: Listener, report: Report): ListenerFn {
  return function (this: unknown, event: Event): void {
    try {
      const r: unknown = typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
      if (r !== null && typeof r === 'object' && typeof (r as PromiseLike<unknown>).then === 'function') {
        Promise.resolve(r).then(undefined, report);
      }
    } catch (err) {
      report(err);
    }
  };
}

/**
 * Give `signal` listener registration that reports listener errors to `report` (see above).
 * Returns the same signal. @internal
 */
export function guardSignal(signal: AbortSignal, report: Report): AbortSignal {
  // one wrapper per (listener, capture), so adding twice registers once and removal finds it
  const wrappers = new WeakMap<object, [ListenerFn | undefined, ListenerFn | undefined]>();
  const wrapperOf = (listener: Listener, capture: boolean, create: boolean): ListenerFn | undefined => {
    let pair = wrappers.get(listener);
    if (pair === undefined) {
      if (!create) return undefined;
      wrappers.set(listener, (pair = [undefined, undefined]));
    }
    const i = capture ? 1 : 0;
    if (pair[i] === undefined && create) pair[i] = guarded(listener, report);
    return pair[i];
  };
  const isListener = (v: unknown): v is Listener => typeof v === 'function' || (v !== null && typeof v === 'object');
  let handler: unknown = null;
  Object.defineProperties(signal, {
    addEventListener: {
      configurable: true,
      writable: true,
      value(this: EventTarget, type: string, listener: unknown, options?: Options): void {
        if (!isListener(listener)) return addListener.call(this, type, listener as never, options);
        addListener.call(this, type, wrapperOf(listener, captureOf(options), true)!, options);
      },
    },
    removeEventListener: {
      configurable: true,
      writable: true,
      value(this: EventTarget, type: string, listener: unknown, options?: Options): void {
        if (!isListener(listener)) return removeListener.call(this, type, listener as never, options);
        removeListener.call(this, type, wrapperOf(listener, captureOf(options), false) ?? listener, options);
      },
    },
    onabort: {
      configurable: true,
      enumerable: true,
      get: () => handler,
      set(this: AbortSignal, value: unknown): void {
        handler = typeof value === 'function' ? value : null;
        onabortSetter?.call(this, handler === null ? null : guarded(handler as ListenerFn, report));
      },
    },
  });
  return signal;
}
