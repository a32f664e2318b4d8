import type { BodySource } from './body-source.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * `req.stream()` of a streamed body: the chunks of its `BodySource`, as an async generator written
 * by hand (an `async function*` costs several promises and microtask turns per chunk; this costs
 * one). Like the generator it replaces, it claims the body on the first `next()` (`iterate()`); when
 * another reader has it already, the iteration is `fallback()`'s (the Web stream path, which errors).
 * After `return()`, `throw()`, the end or a failure it is done.
 * @internal
 */
export class BodyChunkIterator implements AsyncGenerator<Uint8Array, void, undefined> {
  /** Set on the first `next()`: null to read the source directly, else the fallback iteration. */
  private inner: AsyncGenerator<Uint8Array, void, undefined> | null | undefined = undefined;
  private done = false;

  constructor(
    private readonly src: BodySource,
    private readonly fallback: () => AsyncGenerator<Uint8Array, void, undefined>,
    /** `req.stream({ borrowed: true })`: each chunk is valid until the next is asked for. */
    private readonly borrowed = false,
  ) {}

  next(): Promise<IteratorResult<Uint8Array, void>> {
    if (this.done) return Promise.resolve(DONE);
    if (this.inner === undefined) this.inner = this.src.iterate(this.borrowed) ? null : this.fallback();
    if (this.inner !== null) return this.inner.next();
    if (this.src.failureTaken) {
      // a read was rejected with the failure: done, as a generator that threw
      this.done = true;
      return Promise.resolve(DONE);
    }
    if (this.src.exhausted) this.done = true; // this call tells the end (or the failure), later ones are done
    return this.src.read(DONE);
  }

  return(value?: void | PromiseLike<void>): Promise<IteratorResult<Uint8Array, void>> {
    this.done = true;
    if (this.inner) return this.inner.return(value);
    if (this.inner === null) this.src.release(); // a borrowed chunk the consumer held is done with
    return Promise.resolve(value).then(() => DONE);
  }

  throw(err: unknown): Promise<IteratorResult<Uint8Array, void>> {
    this.done = true;
    if (this.inner) return this.inner.throw(err);
    if (this.inner === null) this.src.release();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
