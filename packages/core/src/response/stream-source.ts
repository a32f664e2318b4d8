/**
 * The streamed bodies jato sends: a Web `ReadableStream`, a Node `Readable`, or any `AsyncIterable`,
 * each yielding `Uint8Array` (or `ArrayBuffer`) or string chunks. Recognised by shape, so that
 * neither `node:stream` nor the Web streams are loaded by apps that never stream.
 */

/** A body jato can stream. */
export type StreamBody =
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | ArrayBuffer | string>
  | NodeReadableLike;

/** The part of a Node `Readable` jato uses. */
export interface NodeReadableLike extends AsyncIterable<unknown> {
  pipe(...args: never[]): unknown;
  destroy(error?: Error): unknown;
}

/** Which kind of stream `v` is, or null when it is none jato can stream. */
export function streamKind(v: unknown): 'web' | 'node' | 'iterable' | null {
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string | symbol, unknown>;
  if (typeof o.getReader === 'function' && typeof o.cancel === 'function') return 'web';
  if (typeof o[Symbol.asyncIterator] !== 'function') return null;
  return typeof o.pipe === 'function' && typeof o.destroy === 'function' ? 'node' : 'iterable';
}

/**
 * Whether `v` looks like a stream, iterator or callback jato does not know how to send (a sync
 * iterator or generator, an event emitter, an observable — an object of a class with such a method —,
 * a function, a symbol): such a value is a 500 naming what it is, never serialised as JSON.
 */
export function unsendableKind(v: unknown): string | null {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'bigint') return 'a bigint';
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string | symbol, unknown>;
  // no such method: data (named loads the optimizer inlines; Object.getPrototypeOf is a runtime call)
  if (
    typeof o.getReader !== 'function' && typeof o.pipe !== 'function' && typeof o.read !== 'function' &&
    typeof o.next !== 'function' && typeof o.subscribe !== 'function' && typeof o.on !== 'function'
  ) return null;
  // plain data (an object literal) is JSON: only class instances are checked
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return null;
  for (const key of ['getReader', 'pipe', 'read', 'next', 'subscribe', 'on'] as const) {
    if (typeof o[key] === 'function') {
      const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
      return `a stream-like object${typeof name === 'string' && name !== '' ? ` (${name})` : ''} with a ${key}() method`;
    }
  }
  return null;
}

/** A pull interface over any StreamBody. */
export interface PullSource {
  next(): Promise<IteratorResult<unknown>>;
  /** Stop the source (cancel(), destroy() or return()); never throws. */
  cancel(reason?: unknown): void;
}

const noop = (): void => {};

/** Opens `body` (of kind `kind`) for pulling. */
export function openSource(body: object, kind: 'web' | 'node' | 'iterable'): PullSource {
  if (kind === 'web') {
    const reader = (body as ReadableStream<unknown>).getReader();
    return {
      next: () => reader.read() as Promise<IteratorResult<unknown>>,
      cancel: (reason) => {
        try {
          reader.cancel(reason).catch(noop);
        } catch {
          /* already released */
        }
      },
    };
  }
  const it = (body as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  if (kind === 'node') {
    return {
      next: () => it.next(),
      cancel: () => {
        try {
          (body as NodeReadableLike).destroy();
        } catch {
          /* a broken destroy must not break the connection */
        }
      },
    };
  }
  return {
    next: () => it.next(),
    cancel: () => {
      try {
        const r = it.return?.();
        if (r !== undefined) Promise.resolve(r).catch(noop);
      } catch {
        /* a broken return() must not break the connection */
      }
    },
  };
}
