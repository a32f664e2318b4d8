import { BODY_ABORTED, BODY_DONE, BODY_MORE, type Responder } from '@jato/native-loop';
import { BadRequestError, HttpError, PayloadTooLargeError } from '../errors/http-error.js';

/**
 * The body of one streamed request (transport flag `BODY_STREAM`): chunks the transport delivers are
 * kept (copied) until the handler reads them, and each read tells the transport how many bytes were
 * consumed, which reopens its window (the transport stops reading the socket while the window is
 * full, so what waits here is bounded by the window). The first read sends `100 Continue` when the
 * client asked for it. Over `limit` bytes the stream errors with a 413 `PayloadTooLargeError`.
 * @internal
 */
export class BodySource {
  private readonly queue: Uint8Array[] = [];
  /** `BODY_MORE`, `BODY_DONE` or a failure status. */
  private end = BODY_MORE;
  private received = 0;
  private failure: unknown = null;
  private waiter: (() => void) | null = null;
  private started = false;
  /** The handler answered or the stream was cancelled: chunks are dropped. */
  private dropped = false;
  private web: ReadableStream<Uint8Array> | null = null;
  /** Whether a reader (stream, iterator, bytes()) took the body. */
  used = false;
  /** The request this body belongs to (set by `BodyStreams.open`). */
  request: { flags: number } | null = null;
  /** `req.stream()` iterates `next()` directly. */
  private iterated = false;
  /** A read was rejected with the failure (`req.stream()` is done after that). */
  failureTaken = false;
  /** `req.stream({ borrowed: true })`: a chunk is reported consumed when the next one is asked for. */
  private borrowed = false;
  /** Borrowed: the length of the chunk the consumer holds (not yet reported consumed). */
  private lent = 0;

  constructor(
    private readonly out: Responder,
    readonly conn: number,
    readonly seq: number,
    /** Largest body this request may have (the route's `bodyLimit`). */
    readonly limit: number,
  ) {}

  /** Chunk bytes from the transport, memory of their own (`BodyChunks.keep`, or a copy). */
  push(data: Uint8Array, end: number): void {
    if (this.dropped || this.end !== BODY_MORE) return;
    if (data.length > 0) {
      this.received += data.length;
      if (this.received > this.limit) {
        this.fail(new PayloadTooLargeError(`The request body is larger than ${this.limit} bytes`));
        return;
      }
      this.queue.push(data);
    }
    if (end !== BODY_MORE) {
      if (end === BODY_DONE) this.end = BODY_DONE;
      else this.fail(failureOf(end));
    }
    this.wake();
  }

  /** The client left (or the transport gave up on the body). */
  abort(): void {
    if (this.end === BODY_MORE) this.fail(failureOf(BODY_ABORTED));
  }

  /** The response is out: forget what is queued and whatever still comes. */
  drop(): void {
    this.dropped = true;
    this.queue.length = 0;
    if (this.end === BODY_MORE) this.fail(new Error('The response was sent before the request body was read'));
  }

  private fail(err: unknown): void {
    this.end = 0x7fffffff;
    this.failure = err;
    this.queue.length = 0;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w();
    }
  }

  /**
   * The next chunk, or null at the end; rejects when the body failed. Consumed bytes are reported
   * to the transport as they are handed out.
   */
  next(): Promise<Uint8Array | null> {
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.take();
    } catch (err) {
      return Promise.reject(err);
    }
    return chunk !== undefined ? Promise.resolve(chunk) : this.arrival().then(() => this.next());
  }

  /**
   * `next()` as an iterator result (`req.stream()`): one promise per chunk that is here already.
   * @param done the result at the end
   */
  read(done: IteratorReturnResult<undefined>): Promise<IteratorResult<Uint8Array, undefined>> {
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.take();
    } catch (err) {
      return Promise.reject(err);
    }
    if (chunk === undefined) return this.arrival().then(() => this.read(done));
    return Promise.resolve(chunk === null ? done : { done: false, value: chunk });
  }

  /** Nothing more will be handed out: the body ended (or failed) and every chunk was taken. */
  get exhausted(): boolean {
    return this.end !== BODY_MORE && this.queue.length === 0;
  }

  /**
   * The next chunk (reported consumed), null at the end, undefined when none is here yet; throws
   * when the body failed. The first call reports 0 bytes (100 Continue).
   */
  private take(): Uint8Array | null | undefined {
    if (!this.started) {
      this.started = true;
      this.ack(0, this.borrowed);
    }
    if (this.lent !== 0) this.release(); // the consumer asks for the next: the one it held is done with
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      if (this.borrowed) this.lent = chunk.length;
      else this.ack(chunk.length);
      return chunk;
    }
    if (this.end === BODY_DONE) return null;
    if (this.end !== BODY_MORE) {
      this.failureTaken = true;
      throw this.failure;
    }
    return undefined;
  }

  /** Resolves when a chunk, the end or a failure arrives. */
  private arrival(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Borrowed: the chunk the consumer held is done with (it asked for the next, or stopped): reported consumed. */
  release(): void {
    const n = this.lent;
    this.lent = 0;
    if (n !== 0) this.ack(n);
  }

  private ack(bytes: number, borrowed = false): void {
    if (this.dropped) return;
    try {
      this.out.bodyRead?.(this.conn, this.seq, bytes, borrowed);
    } catch {
      /* the connection is gone: nothing to reopen */
    }
  }

  /**
   * Claims the body for one reader iterating `next()` directly (`req.stream()`); false when a Web
   * stream or another iteration has it already. `borrowed`: chunks are reported consumed only when
   * the next is asked for (or `release()`), which lets the transport reuse their memory.
   */
  iterate(borrowed = false): boolean {
    if (this.web !== null || this.iterated) return false;
    this.iterated = true;
    this.used = true;
    this.borrowed = borrowed;
    return true;
  }

  /** The body as a Web ReadableStream (one per request). */
  stream(): ReadableStream<Uint8Array> {
    if (this.web !== null) return this.web;
    this.used = true;
    if (this.iterated) {
      // req.stream() has the body already: this stream is a second reader of it
      this.web = new ReadableStream<Uint8Array>({ start: (c) => c.error(new TypeError('The request body is already being read')) });
      return this.web;
    }
    this.web = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.next();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
        cancel: () => this.drop(),
      },
      { highWaterMark: 0 },
    );
    return this.web;
  }

  /** The whole body, at most `max` bytes (else a 413). */
  async collect(max: number): Promise<Uint8Array> {
    this.used = true;
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) {
      size += chunk.length;
      if (size > max) {
        this.drop();
        throw new PayloadTooLargeError(`The request body is larger than ${max} bytes`);
      }
      parts.push(chunk);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
  }
}

/** The error a streamed body fails with for a transport failure status. */
function failureOf(status: number): unknown {
  if (status === BODY_ABORTED) return new DOMException('The client closed the connection', 'AbortError');
  if (status === 413) return new PayloadTooLargeError('The request body is too large');
  if (status === 400) return new BadRequestError('The request body is malformed');
  return new HttpError(status, status === 408 ? 'The request body timed out' : `The request body failed (${status})`);
}
