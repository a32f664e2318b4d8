const DONE: IteratorResult<string> = { done: true, value: undefined };
const BEAT: IteratorResult<string> = { done: false, value: ':\n\n' };

/**
 * The body of an `sse()` response: an async iterator of framed event text over the producer's
 * events. One heartbeat timer per stream (re-armed, never one per event): when it fires while the
 * consumer waits and nothing was sent for `heartbeat` ms, a `:` comment is the next chunk and the
 * producer's pending event stays pending for the next call. Each event costs the producer's own
 * promise, one promise here and a clock read — no timer, no Web stream. `return()` stops the timer,
 * aborts the producer's signal and calls the producer's `return()` (never throws).
 * @internal
 */
export class SseSource<E> implements AsyncIterableIterator<string> {
  /** The producer's `next()` is outstanding. */
  private inflight = false;
  /** A producer result that arrived while nobody waited (after a heartbeat answered the consumer). */
  private ready: IteratorResult<E> | null = null;
  private failed: { error: unknown } | null = null;
  private resolve: ((r: IteratorResult<string>) => void) | null = null;
  private reject: ((err: unknown) => void) | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() of the last chunk handed to the consumer. */
  private last = 0;
  private finished = false;
  private returned = false;

  constructor(
    private readonly it: AsyncIterator<E>,
    private readonly format: (e: E) => string,
    private readonly heartbeat: number,
    private readonly stop: AbortController,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.finished) return Promise.resolve(DONE);
    return new Promise<IteratorResult<string>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.heartbeat > 0 && this.timer === undefined) {
        this.last = performance.now();
        this.timer = setTimeout(this.onTimer, this.heartbeat);
      }
      this.advance();
    });
  }

  return(): Promise<IteratorResult<string>> {
    this.end();
    if (!this.returned) {
      this.returned = true;
      this.stop.abort(new DOMException('The client closed the connection', 'AbortError'));
      try {
        const r = this.it.return?.();
        if (r !== undefined) Promise.resolve(r).catch(() => {});
      } catch {
        /* a broken return() must not break the connection */
      }
    }
    this.settle(DONE);
    return Promise.resolve(DONE);
  }

  /** Answer the waiting consumer from what arrived, or ask the producer. */
  private advance(): void {
    for (;;) {
      if (this.failed !== null) {
        const { error } = this.failed;
        this.failed = null;
        this.fail(error);
        return;
      }
      const r = this.ready;
      if (r === null) break;
      this.ready = null;
      if (this.deliver(r)) return;
    }
    if (this.inflight) return;
    this.inflight = true;
    let p: Promise<IteratorResult<E>>;
    try {
      p = this.it.next();
    } catch (err) {
      this.inflight = false;
      this.fail(err);
      return;
    }
    Promise.resolve(p).then(this.onResult, this.onError);
  }

  /** Hands `r` to the waiting consumer; false: nothing to send (an empty event), ask again. */
  private deliver(r: IteratorResult<E>): boolean {
    if (r.done === true) {
      this.end();
      this.settle(DONE);
      return true;
    }
    let text: string;
    try {
      text = this.format(r.value);
    } catch (err) {
      this.fail(err);
      return true;
    }
    if (text === '') return false;
    if (this.timer !== undefined) this.last = performance.now();
    this.settle({ done: false, value: text });
    return true;
  }

  private readonly onResult = (r: IteratorResult<E>): void => {
    this.inflight = false;
    if (this.finished) return;
    if (this.resolve === null) {
      this.ready = r;
      return;
    }
    if (!this.deliver(r)) this.advance();
  };

  private readonly onError = (err: unknown): void => {
    this.inflight = false;
    if (this.finished) return;
    if (this.resolve === null) this.failed = { error: err };
    else this.fail(err);
  };

  private readonly onTimer = (): void => {
    if (this.finished) return;
    const idle = performance.now() - this.last;
    // timers may fire a fraction of a ms early against performance.now()
    if (this.resolve === null || idle >= this.heartbeat - 1) {
      // a beat for the waiting consumer; a busy consumer (backpressure) needs none: check again later
      if (this.resolve !== null) {
        this.last = performance.now();
        this.settle(BEAT);
      }
      this.timer!.refresh();
      return;
    }
    // an event went out meanwhile: wait for the rest of the idle time
    this.timer = setTimeout(this.onTimer, Math.max(1, this.heartbeat - idle));
  };

  private settle(r: IteratorResult<string>): void {
    const resolve = this.resolve;
    this.resolve = null;
    this.reject = null;
    resolve?.(r);
  }

  private fail(err: unknown): void {
    const reject = this.reject;
    this.resolve = null;
    this.reject = null;
    this.end();
    reject?.(err);
  }

  private end(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }
}
