import type { Responder, ResponseStream } from '@jato/native-loop';
import { Response } from './response.js';
import { formatSseEvent, type SseEvent, type SseOptions } from './sse.js';

/** Options of an `SseFeed`. */
export interface SseFeedOptions {
  /** Send a `:` comment to every subscriber after this many ms without a published event (15 000; 0: never). */
  heartbeat?: number;
  /**
   * Bytes a subscriber may fall behind beyond its connection's high-water mark before it is closed
   * (4 MiB). The client (an `EventSource`) reconnects with `Last-Event-ID` and can be sent what it
   * missed; the other subscribers never wait for a slow one.
   */
  maxBackpressure?: number;
}

/** Options of `SseFeed.response()`: the response's own status/headers plus events for this subscriber only. */
export interface SseSubscribeOptions extends Omit<SseOptions, 'heartbeat'> {
  /**
   * Events sent to this subscriber before the published ones (e.g. what it missed since the
   * `Last-Event-ID` it sent back, or a `retry`); framed when `response()` is called.
   */
  initial?: Iterable<SseEvent | string>;
}

/** Subscribers on one transport with one framing: the shared chunk is written to them at once. */
class Group {
  readonly subs: SseSubscription[] = [];
  readonly streams: ResponseStream[] = [];
  constructor(
    readonly out: Responder,
    readonly chunked: boolean,
  ) {}
}

const BEAT = ':\n\n';
/** Published text is written at once past this many chars (else at the end of the turn). */
const FLUSH_AT = 64 * 1024;
const MIB = 2 ** 20;

/**
 * A server-sent events broadcast: every subscriber gets every published event, in order. An event
 * is framed once (and chunk-framed once per turn), and its bytes are shared by all subscribers:
 * the events published within one turn go out as one write per subscriber connection.
 *
 * - Subscribe by returning `feed.response()` from a route; a subscriber leaves when its client
 *   closes the connection (or the request's signal fires).
 * - Backpressure: a subscriber whose client reads slowly never stalls the others; its bytes wait
 *   for it, and one more than `maxBackpressure` bytes behind its connection's high-water mark is
 *   closed (its `EventSource` reconnects with `Last-Event-ID`). Events are never dropped from the
 *   middle of a stream.
 * - Heartbeats: a `:` comment goes to every subscriber after `heartbeat` ms without an event.
 * - `id`: give events an `id`; a reconnecting client sends the last one it got as `Last-Event-ID`
 *   (`req.header('last-event-id')`), and `response({ initial })` can send it what it missed.
 *
 * @example
 * const feed = new SseFeed();
 * app.get('/events', (req) => feed.response({ initial: missedSince(req.header('last-event-id')) }));
 * setInterval(() => feed.publish({ event: 'tick', id: String(++n), data: { n } }), 1000);
 */
export class SseFeed {
  private readonly groups: Group[] = [];
  /** Subscribers on a transport that cannot stream (each reads its own queue). */
  private readonly pulling = new Set<SseSubscription>();
  private pending = '';
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  /** Something was published since the last heartbeat check. */
  private active = false;
  private closed = false;
  private count = 0;
  readonly heartbeat: number;
  readonly maxBackpressure: number;

  constructor(options: SseFeedOptions = {}) {
    const { heartbeat = 15_000, maxBackpressure = 4 * MIB } = options;
    if (!(heartbeat >= 0)) throw new RangeError('SseFeed heartbeat must be a number of ms >= 0');
    if (!(maxBackpressure >= 0)) throw new RangeError('SseFeed maxBackpressure must be a number of bytes >= 0');
    this.heartbeat = heartbeat;
    this.maxBackpressure = maxBackpressure;
  }

  /** Subscribers now. */
  get size(): number {
    return this.count;
  }

  /**
   * A `text/event-stream` response that subscribes its client to this feed (headers as `sse()`).
   * Throws a TypeError for an `initial` event that cannot be framed.
   */
  response(options: SseSubscribeOptions = {}): Response {
    const { initial, headers, ...init } = options;
    let first = '';
    if (initial !== undefined) for (const e of initial) first += formatSseEvent(e);
    const sub = new SseSubscription(this, first);
    const res = new Response(sub, { ...init, type: 'text/event-stream', charset: 'utf-8', headers });
    if (!res.headers.has('cache-control')) res.headers.set('Cache-Control', 'no-cache');
    if (!res.headers.has('x-accel-buffering')) res.headers.set('X-Accel-Buffering', 'no');
    return res;
  }

  /**
   * Send an event (or several, in order) to every subscriber. Framed now (a TypeError for an event
   * that cannot be, and then nothing of this call is sent); written at the end of the turn, together
   * with the other events published in it.
   */
  publish(events: SseEvent | string | readonly (SseEvent | string)[]): void {
    if (this.closed) return;
    let text: string;
    if (Array.isArray(events)) {
      text = '';
      for (const e of events as readonly (SseEvent | string)[]) text += formatSseEvent(e);
    } else text = formatSseEvent(events as SseEvent | string);
    if (text === '') return;
    this.active = true;
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushLater);
    }
  }

  /** End every subscriber's response (after what was published) and refuse new ones. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.stopTimer();
    for (const g of this.groups) for (const s of g.subs.slice()) s.finish('end');
    for (const s of [...this.pulling]) s.finish('end');
  }

  /** Write the text published this turn to every subscriber. */
  private flush(): void {
    const text = this.pending;
    if (text === '') return;
    this.pending = '';
    this.send(text);
  }

  private readonly flushLater = (): void => {
    this.scheduled = false;
    this.guardedFlush();
  };

  /**
   * A flush of its own (end of turn, heartbeat) runs outside any request: a failure (the output
   * writer could not grow its memory) ends every subscriber, and the first of their responses logs
   * it, instead of escaping as an uncaught exception.
   */
  private guardedFlush(): void {
    try {
      this.flush();
    } catch (err) {
      const failure = { err, logged: false };
      for (const g of this.groups) for (const s of g.subs.slice()) s.finish('abort', failure);
      for (const s of [...this.pulling]) s.finish('abort', failure);
    }
  }

  private send(text: string): void {
    let framed: string | undefined;
    let plain: Buffer | undefined;
    let bytes = -1;
    for (const g of this.groups) {
      const n = g.subs.length;
      if (n === 0) continue;
      if (bytes < 0) bytes = Buffer.byteLength(text, 'utf8');
      let size = bytes;
      if (g.chunked) {
        framed ??= `${bytes.toString(16)}\r\n${text}\r\n`;
        size += bytes.toString(16).length + 4;
      }
      if (g.out.streamPublish !== undefined) {
        g.out.streamPublish(g.streams, n, g.chunked ? framed! : text);
      } else {
        // one encoding shared by every write
        const chunk = g.chunked ? Buffer.from(framed!, 'utf8') : (plain ??= Buffer.from(text, 'utf8'));
        // under the mark after the write: caught up
        for (let i = 0; i < n; i++) if (g.streams[i]!.write(chunk)) g.subs[i]!.queued = -size;
      }
      // the bound: cut who fell too far behind (from the end: removal swaps the last one in)
      for (let i = n - 1; i >= 0; i--) {
        const s = g.subs[i]!;
        s.queued += size;
        if (s.queued > s.limit) s.finish('abort');
      }
    }
    for (const s of this.pulling) s.push(text);
  }

  /** @internal a subscriber's response started on a streaming transport */
  join(s: SseSubscription, out: Responder, chunked: boolean, stream: ResponseStream): boolean {
    if (this.closed) return false;
    this.flush(); // what was published before it joined is not its
    let g = this.groups.find((x) => x.out === out && x.chunked === chunked);
    if (g === undefined) this.groups.push((g = new Group(out, chunked)));
    s.group = g;
    s.index = g.subs.length;
    g.subs.push(s);
    g.streams.push(stream);
    this.joined();
    return true;
  }

  /** @internal a subscriber reading its own queue (a transport that cannot stream, e.g. inject) */
  joinPulling(s: SseSubscription): boolean {
    if (this.closed) return false;
    this.flush();
    this.pulling.add(s);
    this.joined();
    return true;
  }

  /** @internal */
  leave(s: SseSubscription): void {
    const g = s.group;
    if (g !== null) {
      const last = g.subs.length - 1;
      const moved = g.subs[last]!;
      g.subs[s.index] = moved;
      g.streams[s.index] = g.streams[last]!;
      moved.index = s.index;
      g.subs.pop();
      g.streams.pop();
      s.group = null;
    } else if (!this.pulling.delete(s)) return;
    if (--this.count === 0) this.stopTimer();
  }

  private joined(): void {
    this.count++;
    if (this.heartbeat > 0 && this.timer === undefined) {
      this.timer = setInterval(this.beat, this.heartbeat);
      this.timer.unref();
    }
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Every `heartbeat` ms: a comment when nothing was published since the last check. */
  private readonly beat = (): void => {
    if (this.active) {
      this.active = false;
      return;
    }
    this.pending += BEAT;
    this.guardedFlush();
  };
}

const DONE: IteratorResult<string> = { done: true, value: undefined };

/**
 * The body of `SseFeed.response()`. On a streaming transport the dispatcher hands it the response
 * stream (`attach`) and the feed writes to that stream itself; elsewhere (inject, or a transport
 * that cannot stream) it is an async iterator of the event text published while it is subscribed.
 * @internal
 */
export class SseSubscription implements AsyncIterableIterator<string> {
  /** The feed's group while attached; its index there. */
  group: Group | null = null;
  index = 0;
  /**
   * Bytes written since the connection was last known under its high-water mark (a drain notice, or
   * a `write` that returned true).
   */
  queued = 0;
  /** `queued` above which the subscriber is closed. */
  limit = Infinity;
  /** Why the feed ended this subscriber, when a write of the feed failed (logged once per failure). */
  failure: { err: unknown; logged: boolean } | null = null;
  private stream: ResponseStream | null = null;
  private ended: ((how: 'end' | 'abort') => void) | null = null;
  private done = false;
  private subscribed = false;
  /** Pull mode: text not read yet, and the reader waiting for it. */
  private queue = '';
  private waiting: ((r: IteratorResult<string>) => void) | null = null;

  constructor(
    private readonly feed: SseFeed,
    private first: string,
  ) {}

  /**
   * Push mode: `stream` is this subscriber's open response stream (its head sent). Writes the initial
   * events and joins the feed. Resolves when the feed ends this subscriber: 'end' (feed closed: send the
   * final chunk and end) or 'abort' (too far behind: close the connection). Not called again after
   * the client left (`return()`).
   */
  attach(stream: ResponseStream, out: Responder, chunked: boolean): Promise<'end' | 'abort'> {
    return new Promise((resolve) => {
      if (this.done) return resolve('end');
      this.stream = stream;
      this.ended = resolve;
      this.limit = (out.highWaterMark ?? MIB) + this.feed.maxBackpressure;
      if (this.first !== '') {
        const n = Buffer.byteLength(this.first, 'utf8');
        stream.write(chunked ? `${n.toString(16)}\r\n${this.first}\r\n` : this.first);
        this.first = '';
      }
      this.subscribed = this.feed.join(this, out, chunked, stream);
      if (!this.subscribed) this.finish('end');
    });
  }

  /** @internal the connection drained: the subscriber caught up */
  drained(): void {
    this.queued = 0;
  }

  /** @internal the feed ends this subscriber */
  finish(how: 'end' | 'abort', failure: { err: unknown; logged: boolean } | null = null): void {
    if (this.done) return;
    this.done = true;
    this.failure = failure;
    if (this.subscribed) this.feed.leave(this);
    this.subscribed = false;
    const ended = this.ended;
    this.ended = null;
    ended?.(how);
    this.settle(DONE);
  }

  /** @internal pull mode: published text */
  push(text: string): void {
    if (this.waiting !== null) this.settle({ done: false, value: text });
    else if (this.queue.length + text.length > this.feed.maxBackpressure + MIB) this.finish('end');
    else this.queue += text;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.stream !== null) return Promise.resolve(DONE);
    if (!this.subscribed && !this.done) this.subscribed = this.feed.joinPulling(this);
    const text = this.first + this.queue;
    if (text !== '') {
      this.first = '';
      this.queue = '';
      return Promise.resolve({ done: false, value: text });
    }
    if (this.done || !this.subscribed) {
      this.done = true;
      return Promise.resolve(DONE);
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The client left (or the response was cancelled): leave the feed. */
  return(): Promise<IteratorResult<string>> {
    this.finish('end');
    return Promise.resolve(DONE);
  }

  private settle(r: IteratorResult<string>): void {
    const w = this.waiting;
    this.waiting = null;
    w?.(r);
  }
}
