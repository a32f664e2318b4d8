const DONE: IteratorResult<string> = { done: true, value: undefined };
const BEAT: IteratorResult<string> = { done: false, value: ':\n\n' };
/** Gathered event text is handed over at once past this many chars. */
const GATHER_MAX = 16 * 1024;

/**
 * The body of an `sse()` response: an async iterator of framed event text over the producer's
 * events. While the consumer waits, the producer is pulled and the events it yields within the
 * same turn are gathered (up to 16 Ki chars) and handed over as one chunk at the end of the turn
 * (one write per connection per turn, not one per event); the producer is not pulled while the
 * consumer is busy. One heartbeat timer per stream (re-armed, never one per event): when it fires
 * while the consumer waits and nothing was sent for `heartbeat` ms, a `:` comment is the next chunk
 * and the producer's pending event stays pending for the next call. A producer error or a bad event
 * rejects the read after the text gathered before it. `return()` stops the timer, aborts the
 * producer's signal and calls the producer's `return()` (never throws).
 * @internal
 */
export class SseSource<E> implements AsyncIterableIterator<string> {
  /** The producer's `next()` is outstanding. */
  private inflight = false;
  /** A producer result that arrived while nobody waited. */
  private ready: IteratorResult<E> | null = null;
  /** The producer finished (done, threw, or yielded an event that could not be framed). */
  private producerDone = false;
  private failure: { error: unknown } | null = null;
  /** Event text gathered this turn for the waiting consumer. */
  private text = '';
  private tickScheduled = false;
  private resolve: ((r: IteratorResult<string>) => void) | null = null;
  private reject: ((err: unknown) => void) | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() of the last chunk handed to the consumer. */
  private last = 0;
  /** Stopped: the timer is gone and every read is done. */
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
      this.pump();
    });
  }

  return(): Promise<IteratorResult<string>> {
    this.end();
    this.text = '';
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

  /** While the consumer waits: take what arrived, then ask the producer for more (or answer). */
  private pump(): void {
    while (this.resolve !== null && this.ready !== null) {
      const r = this.ready;
      this.ready = null;
      this.take(r);
    }
    if (this.resolve === null || this.finished) return;
    if (this.producerDone) {
      this.handOver();
      return;
    }
    if (this.inflight) return;
    this.inflight = true;
    let p: Promise<IteratorResult<E>>;
    try {
      p = this.it.next();
    } catch (err) {
      this.inflight = false;
      this.producerFailed(err);
      return;
    }
    Promise.resolve(p).then(this.onResult, this.onError);
  }

  /** A producer result for the waiting consumer: gathered, or the end. */
  private take(r: IteratorResult<E>): void {
    if (r.done === true) {
      this.producerDone = true;
      this.handOver();
      return;
    }
    let t: string;
    try {
      t = this.format(r.value);
    } catch (err) {
      this.producerFailed(err);
      return;
    }
    if (t === '') return;
    this.text += t;
    if (this.text.length >= GATHER_MAX) this.handOver();
    else if (!this.tickScheduled) {
      this.tickScheduled = true;
      process.nextTick(this.onTick);
    }
  }

  /** Answer the waiting consumer: the gathered text first, then the failure or the end. */
  private handOver(): void {
    if (this.resolve === null) return;
    if (this.text !== '') {
      const value = this.text;
      this.text = '';
      if (this.timer !== undefined) this.last = performance.now();
      this.settle({ done: false, value });
      return;
    }
    if (this.failure !== null) {
      const reject = this.reject!;
      const { error } = this.failure;
      this.failure = null;
      this.resolve = null;
      this.reject = null;
      this.end();
      reject(error);
      return;
    }
    if (this.producerDone) {
      this.end();
      this.settle(DONE);
    }
  }

  private producerFailed(err: unknown): void {
    this.producerDone = true;
    this.failure = { error: err };
    this.handOver();
  }

  private readonly onTick = (): void => {
    this.tickScheduled = false;
    if (this.text !== '') this.handOver();
  };

  private readonly onResult = (r: IteratorResult<E>): void => {
    this.inflight = false;
    if (this.finished) return;
    if (this.resolve === null) {
      this.ready = r;
      return;
    }
    this.take(r);
    this.pump();
  };

  private readonly onError = (err: unknown): void => {
    this.inflight = false;
    if (this.finished) return;
    this.producerFailed(err);
  };

  private readonly onTimer = (): void => {
    if (this.finished) return;
    const idle = performance.now() - this.last;
    // timers may fire a fraction of a ms early against performance.now()
    if (this.resolve === null || this.text !== '' || idle >= this.heartbeat - 1) {
      // a beat for the waiting consumer; a busy consumer (backpressure) needs none: check again later
      if (this.resolve !== null && this.text === '') {
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

  private end(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }
}
