import { BODY_ABORTED, BODY_DONE, BODY_MORE, BODY_STREAM, RequestFlag, type BodyChunks } from '@jato/native-loop';
import type { App } from '../app/app.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { WEB_FLAGS, WebBatch } from './web-batch.js';
import { WebResponder } from './web-responder.js';
import { runtimeResponse } from './light-response.js';
import { joinChunks } from './join-chunks.js';

/** Connection ids of `app.fetch` calls (apart from sockets' and `inject`'s). */
const FETCH_ID_BASE = 0x40000000;
let nextId = 0;
const EMPTY: Uint8Array = new Uint8Array(0);
const DEFAULT_WINDOW = 256 * 1024;
const dispatchers = new WeakMap<object, Dispatcher>();

/**
 * Run a Web `Request` through `app` — routing, middleware, hooks, error handlers, limits on the
 * body — and resolve to the Web `Response` it answers (a streamed body streams). What `app.fetch`
 * does; see there.
 * @internal
 */
export async function appFetch(app: App<object>, request: globalThis.Request): Promise<globalThis.Response> {
  if (!(request instanceof globalThis.Request)) throw new TypeError('app.fetch() expects a Request');
  let d = dispatchers.get(app);
  if (d === undefined) dispatchers.set(app, (d = app.dispatcher()));
  const dispatcher = d;
  const url = new URL(request.url);
  const lines: string[] = [];
  if (!request.headers.has('host')) lines.push('host', url.host);
  request.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'transfer-encoding') lines.push(name, value);
  });
  const conn = FETCH_ID_BASE + (nextId = (nextId + 1) % 0x3fffffff);
  const maxBody = app.config.maxBodyBytes;
  const streamLimit = app.streamBodyLimit;
  let body: Uint8Array = EMPTY;
  let flags = WEB_FLAGS;
  let rest: { reader: ReadableStreamDefaultReader<Uint8Array>; first: Uint8Array[] } | null = null;
  if (request.body !== null) {
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    let done = false;
    while (size <= maxBody) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        break;
      }
      chunks.push(r.value);
      size += r.value.byteLength;
    }
    if (done) {
      body = joinChunks(chunks, size);
      lines.push('content-length', String(size));
    } else if (streamLimit > 0) {
      // over the whole-body limit on an app with streaming routes: stream it, as the transport would
      flags |= BODY_STREAM | RequestFlag.Chunked;
      lines.push('transfer-encoding', 'chunked');
      rest = { reader, first: chunks };
    } else {
      void reader.cancel().catch(() => {});
      const R = runtimeResponse();
      return new R('Payload Too Large', { status: 413, headers: { 'content-type': 'text/plain', connection: 'close' } });
    }
  }
  const target = url.pathname + url.search;
  const batch = new WebBatch(conn, request.method, target, lines, body, flags);
  return new Promise<globalThis.Response>((resolve) => {
    let finished = false;
    let pump: BodyPump | null = null;
    const onAbort = (): void => dispatcher.onConnectionClose(conn);
    const signal = request.signal;
    const responder = new WebResponder({
      resolve,
      done() {
        if (finished) return;
        finished = true;
        signal.removeEventListener('abort', onAbort);
        pump?.stop();
      },
      bodyRead(bytes) {
        pump?.consumed(bytes);
      },
    });
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener('abort', onAbort, { once: true });
    if (rest !== null) {
      const window = app.settings.limits?.bodyWindow ?? DEFAULT_WINDOW;
      pump = new BodyPump(dispatcher, conn, rest.reader, window);
      pump.start(rest.first);
    }
    dispatcher.onBatch(batch, responder);
  });
}

/**
 * Feeds a streamed request body to the dispatcher as the transport does: chunks through
 * `onBodyChunks`, never more than `window` bytes ahead of what the handler consumed.
 */
class BodyPump {
  private delivered = 0;
  private read = 0;
  private stopped = false;
  private waiting: (() => void) | null = null;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly conn: number,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly window: number,
  ) {}

  start(first: Uint8Array[]): void {
    // after the request's onBatch (the transport delivers a turn's chunks after its batch)
    queueMicrotask(() => {
      for (const c of first) this.deliver(c, BODY_MORE);
      void this.run();
    });
  }

  consumed(bytes: number): void {
    this.read += bytes;
    const w = this.waiting;
    if (w !== null && this.delivered - this.read < this.window) {
      this.waiting = null;
      w();
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    void this.reader.cancel().catch(() => {});
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        if (this.delivered - this.read >= this.window) {
          await new Promise<void>((resolve) => (this.waiting = resolve));
          continue;
        }
        const r = await this.reader.read();
        if (this.stopped) return;
        if (r.done) {
          this.deliver(EMPTY, BODY_DONE);
          return;
        }
        this.deliver(r.value, BODY_MORE);
      }
    } catch {
      if (!this.stopped) this.deliver(EMPTY, BODY_ABORTED);
    }
  }

  private deliver(data: Uint8Array, end: number): void {
    this.delivered += data.byteLength;
    const conn = this.conn;
    const chunks: BodyChunks = { count: 1, conn: () => conn, seq: () => 0, data: () => data, end: () => end };
    this.dispatcher.onBodyChunks(chunks);
  }
}

/**
 * The Request `app.request(input, init)` sends: a path (`'/users/1'`, resolved against
 * `http://localhost`), a URL, or a Request.
 * @internal
 */
export function toWebRequest(input: string | URL | globalThis.Request, init?: RequestInit): globalThis.Request {
  if (input instanceof globalThis.Request) return init === undefined ? input : new globalThis.Request(input, init);
  const url = typeof input === 'string' && input.startsWith('/') ? new URL(input, 'http://localhost') : new URL(input);
  return new globalThis.Request(url, init);
}
