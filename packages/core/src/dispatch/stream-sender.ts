import type { Responder, ResponseStream } from '@jato/native-loop';
import type { Request } from '../request/request.js';
import { openSource, type PullSource } from '../response/stream-source.js';
import { FileStream } from '../static/file-stream.js';
import { SseSubscription } from '../response/sse-feed.js';
import { hasImmutableChunks } from '../response/immutable-chunks.js';

/** What a StreamSender needs from the dispatcher. @internal */
export interface StreamHost {
  /** Log a failure of this request's response. */
  logError(req: Request, err: unknown): void;
  /** Answer with a logged 500 (the head is not sent yet). */
  sendError(req: Request, err: unknown, out: Responder): void;
  /** The request is answered: stop watching it and pool it. */
  answered(req: Request): void;
}

/** How the body of a streamed response is framed. */
export interface StreamFraming {
  /** The head for a body of `len` bytes (`Content-Length`), or for a streamed body with -1. */
  head(len: number): string;
  /** Content-Length the handler set (-1: none). */
  declared: number;
  /** Chunked transfer coding (false: the declared length, or HTTP/1.0 close-delimited). */
  chunked: boolean;
  /** Close the connection after the response. */
  close: boolean;
}

/** What the first turn may gather before the head goes out (a small source becomes one write). */
const FIRST_TURN_MAX = 64 * 1024;
const TURN = Symbol('turn');
const FINAL_CHUNK = '0\r\n\r\n';

/**
 * Sends one streamed body. What the source produces within its first event-loop turn is gathered:
 * a source that ends by then is sent as one response with a `Content-Length`; otherwise the head goes
 * out and each chunk follows as it comes (HEAD: the head alone, and the source is cancelled), pulled only while the transport takes more (`write` true
 * or after `onDrain`). The client leaving (transport `onClose`, or `req.signal`) cancels the source.
 * A source error or bad chunk: before the head a logged 500; after it a log and an abort (the client
 * sees a truncated message). A body longer or shorter than a declared `Content-Length` is an error.
 * @internal
 */
export class StreamSender {
  private stream: ResponseStream | null = null;
  private done = false;
  private sent = 0;
  private wake: (() => void) | null = null;
  /** The last write returned false and no drain came since: the next chunk waits for one. */
  private blocked = false;
  /** The chunked coding's size line of the last chunk written (and that chunk's size). */
  private sizeLine = '';
  private sizeLineOf = -1;
  private readonly src: PullSource;
  private readonly body: object;
  /** The source's chunks are handed over (`immutableChunks`): kept by reference, never copied. */
  private readonly handedOver: boolean;

  constructor(
    private readonly host: StreamHost,
    private readonly req: Request,
    private readonly out: Responder,
    private readonly framing: StreamFraming,
    body: object,
    private readonly kind: 'web' | 'node' | 'iterable',
  ) {
    this.body = body;
    this.handedOver = hasImmutableChunks(body);
    this.src = openSource(body, kind);
  }

  /**
   * Starts sending (never throws; the request is answered when it finishes). A request nobody made a
   * signal for gets none on a streaming transport (an AbortController and its listener per stream
   * cost more than a 64 KiB chunk's write): the transport's `onClose`, or a stream that is already
   * closed when it opens (at most one turn of the source later), says the client left.
   */
  start(): void {
    if (!(this.req.abortController === null && this.out.stream !== undefined)) {
      let signal: AbortSignal;
      try {
        signal = this.req.signal;
      } catch (err) {
        this.fail(err);
        return;
      }
      if (signal.aborted) {
        this.clientLeft();
        return;
      }
      signal.addEventListener('abort', this.clientLeft, { once: true });
    }
    this.run().then(
      () => this.finish(),
      (err: unknown) => this.fail(err),
    );
  }

  private async run(): Promise<void> {
    const req = this.req;
    const framing = this.framing;
    if (this.body instanceof FileStream) {
      if (this.out.sendFile !== undefined && req.method !== 'HEAD' && !framing.chunked) {
        const file = this.body.takeNative();
        if (file !== null) return this.sendFileNative(file);
      }
      const hwm = this.out.highWaterMark;
      if (hwm !== undefined) this.body.reuseBuffers(hwm);
    }
    if (this.body instanceof SseSubscription && this.feedPath()) return this.sendFeed(this.body);
    const gathered: Uint8Array[] = [];
    let size = 0;
    // null: the source is not asked for its next chunk yet (jato holds its last one, not copied)
    let pending: Promise<IteratorResult<unknown>> | null = this.src.next();
    // the end of the first turn; the timer is cleared once the loop is left otherwise (a pending
    // immediate would cost the event loop one more iteration for nothing)
    let timer: ReturnType<typeof setImmediate> | undefined;
    const turn = new Promise<typeof TURN>((resolve) => (timer = setImmediate(resolve, TURN)));
    try {
      for (;;) {
        const r = await Promise.race([pending!, turn]);
        if (this.done) return;
        if (r === TURN) break;
        if (r.done === true) {
          if (framing.declared >= 0 && framing.declared !== size) {
            throw new Error(`The streamed body has ${size} bytes but its Content-Length says ${framing.declared}`);
          }
          const bytes = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, size);
          this.out.respond(req.conn, req.seq, framing.head(size), req.method === 'HEAD' ? null : bytes, framing.close);
          return;
        }
        const chunk = toBytes(r.value);
        if (chunk.byteLength > 0) {
          size += chunk.byteLength;
          if (size >= FIRST_TURN_MAX) {
            // the producer is asked for more only once this one is written: no copy
            gathered.push(chunk);
            pending = null;
            break;
          }
          // kept while the producer goes on, and a chunk is its own again once it is resumed: a copy
          // (unless handed over)
          gathered.push(typeof r.value === 'string' || this.handedOver ? chunk : new Uint8Array(chunk));
        }
        pending = this.src.next();
      }
    } finally {
      clearImmediate(timer);
    }
    if (req.method === 'HEAD') {
      // the head a GET would get (chunked or the declared length), no body; the source is cancelled
      this.out.respond(req.conn, req.seq, framing.head(framing.declared), null, framing.close);
      this.done = true;
      this.src.cancel();
      return;
    }
    const stream = this.out.stream?.(req.conn, req.seq, framing.head(framing.declared), framing.close, {
      onDrain: this.onDrain,
      onClose: this.clientLeft,
    });
    if (stream === undefined) {
      await this.gatherAll(gathered, size, pending);
      return;
    }
    this.stream = stream;
    if (stream.closed) {
      this.clientLeft();
      return;
    }
    let ok = true;
    for (const chunk of gathered) ok = this.write(chunk);
    this.blocked = !ok;
    pending ??= this.src.next();
    for (;;) {
      // the source was asked already: a source that has ended is ended at once, even over the
      // mark (its terminator then goes out with the turn's last chunks, no drain round trip); a
      // chunk waits, unwritten and with the source not asked again, for the drain
      const r = await pending;
      if (this.done) return;
      if (r.done === true) break;
      if (this.blocked) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        if (this.done) return;
      }
      const value = r.value;
      if (typeof value === 'string') ok = value.length === 0 ? true : this.writeString(value);
      else {
        const chunk = toBytes(value);
        ok = chunk.byteLength === 0 ? true : this.write(chunk);
      }
      // (set before the source is asked again: the drain may come while it is awaited)
      this.blocked = !ok;
      pending = this.src.next();
    }
    if (framing.declared >= 0 && this.sent !== framing.declared) {
      throw new Error(`The streamed body has ${this.sent} bytes but its Content-Length says ${framing.declared}`);
    }
    if (framing.chunked) stream.write(FINAL_CHUNK);
    this.done = true;
    stream.end();
  }

  /**
   * A file body the transport sends itself (no call into JS per chunk): the descriptor stays open
   * until the transport is done with it. A failure after the head (a shorter file) was logged by
   * closing the connection; it is logged here too.
   */
  private async sendFileNative(file: { fd: number; start: number; length: number; closeFd: () => void; done: () => void }): Promise<void> {
    const req = this.req;
    const framing = this.framing;
    let ok: boolean;
    try {
      ok = await new Promise<boolean>((resolve) => {
        this.out.sendFile!(req.conn, req.seq, framing.head(file.length), file.fd, file.start, file.length, framing.close, { onDone: resolve });
        // the transport takes its own copy of the descriptor when it processes the row (at the end
        // of this batch or on the next tick): ours is closed after that, so one descriptor per file
        setImmediate(file.closeFd);
      });
    } finally {
      file.closeFd();
      file.done();
    }
    if (this.done) return;
    this.done = true;
    if (!ok) {
      // the connection went away or the file could not be read in full: the signal says so
      this.req.abortNow();
    }
  }

  /** An SseFeed subscriber's events are written by the feed (not pulled): a streaming transport, GET, no length. */
  private feedPath(): boolean {
    return this.out.stream !== undefined && this.req.method !== 'HEAD' && this.framing.declared < 0;
  }

  /**
   * A subscriber of an SseFeed: the head goes out at once and the feed writes the events to the
   * stream itself (shared bytes, no pull per event) until it ends the subscriber or the client leaves.
   */
  private async sendFeed(sub: SseSubscription): Promise<void> {
    const req = this.req;
    const framing = this.framing;
    const stream = this.out.stream!(req.conn, req.seq, framing.head(-1), framing.close, {
      onDrain: () => sub.drained(),
      onClose: this.clientLeft,
    });
    this.stream = stream;
    if (stream.closed) {
      this.clientLeft();
      return;
    }
    const how = await sub.attach(stream, this.out, framing.chunked);
    if (this.done) return;
    this.done = true;
    if (how === 'abort') {
      const f = sub.failure;
      if (f !== null && !f.logged) {
        f.logged = true;
        this.host.logError(req, new Error('An SseFeed could not write to its subscribers: they were closed', { cause: f.err }));
      }
      stream.abort();
      return;
    }
    if (framing.chunked) stream.write(FINAL_CHUNK);
    stream.end();
  }

  /** A transport that cannot stream: read the whole body, then send it as one response. */
  private async gatherAll(gathered: Uint8Array[], size: number, pending: Promise<IteratorResult<unknown>> | null): Promise<void> {
    if (pending === null) {
      // the last chunk gathered was not copied: the producer is resumed below
      const last = gathered.length - 1;
      gathered[last] = new Uint8Array(gathered[last]!);
      pending = this.src.next();
    }
    for (;;) {
      const r = await pending;
      if (this.done) return;
      if (r.done === true) break;
      const chunk = toBytes(r.value);
      gathered.push(typeof r.value === 'string' ? chunk : new Uint8Array(chunk));
      size += chunk.byteLength;
      pending = this.src.next();
    }
    const framing = this.framing;
    if (framing.declared >= 0 && framing.declared !== size) {
      throw new Error(`The streamed body has ${size} bytes but its Content-Length says ${framing.declared}`);
    }
    const req = this.req;
    this.out.respond(req.conn, req.seq, framing.head(size), Buffer.concat(gathered, size), framing.close);
  }

  private write(chunk: Uint8Array): boolean {
    const framing = this.framing;
    const stream = this.stream!;
    this.sent += chunk.byteLength;
    if (framing.declared >= 0 && this.sent > framing.declared) {
      throw new Error(`The streamed body is longer than its Content-Length (${framing.declared})`);
    }
    if (stream.writeFramed !== undefined) {
      // one write; the transport does not keep the chunk (a large one is not copied either), or
      // keeps a handed-over one until it is written
      if (!framing.chunked) return stream.writeFramed('', chunk, '', this.handedOver);
      const n = chunk.byteLength;
      if (n !== this.sizeLineOf) {
        // the same string while the chunks keep their size (the transport reuses its bytes)
        this.sizeLineOf = n;
        this.sizeLine = `${n.toString(16)}\r\n`;
      }
      return stream.writeFramed(this.sizeLine, chunk, '\r\n', this.handedOver);
    }
    if (!framing.chunked) return stream.write(chunk);
    stream.write(`${chunk.byteLength.toString(16)}\r\n`);
    stream.write(chunk);
    return stream.write('\r\n');
  }

  /** A string chunk: framed and written as one string (no bytes copy; the transport encodes it). */
  private writeString(text: string): boolean {
    const framing = this.framing;
    const stream = this.stream!;
    // the transport frames it after encoding it once (no byte count here)
    if (framing.chunked && stream.writeChunk !== undefined) return stream.writeChunk(text);
    const n = Buffer.byteLength(text, 'utf8');
    this.sent += n;
    if (framing.declared >= 0 && this.sent > framing.declared) {
      throw new Error(`The streamed body is longer than its Content-Length (${framing.declared})`);
    }
    return this.stream!.write(framing.chunked ? `${n.toString(16)}\r\n${text}\r\n` : text);
  }

  private readonly onDrain = (): void => {
    this.blocked = false;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  };

  /** The client went away (or was gone already): cancel the source, fire the signal, stop. */
  private readonly clientLeft = (): void => {
    if (this.done) return;
    this.done = true;
    this.req.abortNow();
    // only a Web stream's cancel() takes the reason (an exception is costly to make per client)
    this.src.cancel(this.kind === 'web' ? new DOMException('The client closed the connection', 'AbortError') : undefined);
    this.stream?.abort();
    this.onDrain();
    this.finish();
  };

  private fail(err: unknown): void {
    const first = !this.done;
    this.done = true;
    this.src.cancel(err);
    if (this.stream === null) {
      if (first) this.host.sendError(this.req, err, this.out);
    } else {
      if (first) this.host.logError(this.req, new Error('A streamed response failed after its head was sent', { cause: err }));
      this.stream.abort();
    }
    this.finish();
  }

  private finished = false;

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.done = true;
    // (a signal nobody read is not made here)
    this.req.abortController?.signal.removeEventListener('abort', this.clientLeft);
    this.host.answered(this.req);
  }
}

/** A chunk as bytes; throws for a value that is neither bytes nor a string. @internal */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`A response stream produced ${value === null ? 'null' : typeof value}: expected a Uint8Array or a string`);
}
