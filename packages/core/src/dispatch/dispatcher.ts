import {
  BODY_STREAM, METHOD_NAMES, MethodId, type BodyChunks, type RequestBatch, type Responder, type ServerHandlers,
} from '@jato/native-loop';
import type { MatchResult, Router } from '@jato/router';
import type { FormLimits } from '../request/form.js';
import { BodyStreams } from './body-streams.js';
import type { Request } from '../request/request.js';
import type { AbortTarget, RequestHost } from '../request/request-host.js';
import type { TrustProxy } from '../request/trust-proxy.js';
import { ResponseHeaders, isHeaderName, isHeaderValue } from '../response/headers.js';
import { OCTET_STREAM, Response, TEXT_PLAIN } from '../response/response.js';
import { STATUS_LINE, STATUS_TEXT, isBodyless, isStatus } from '../response/status.js';
import type {
  MethodNotAllowedHandler, NotFoundHandler, RequestHook, ResponseHook, RouteEntry,
} from '../app/types.js';
import { compose, type RequestFn } from '../middleware/compose.js';
import { applyRecorded, clearRecorded, hasRecorded } from '../middleware/fast-step.js';
import type { LeadPlan } from '../middleware/lead-plan.js';
import type { Middleware } from '../middleware/types.js';
import { currentDate } from './date.js';
import { fromWebResponse, toResponse } from './to-response.js';
import { errorResult, type ErrorScope, internalErrorBody, logError } from './error-result.js';
import { FLAG_HTTP10, FLAG_KEEP_ALIVE, HeadEncoder } from './encoder.js';
import { sendPlanned, sendWithLines } from './send-with-lines.js';
import { SharedLines } from './shared-lines.js';
import { FileBody } from '../static/file.js';
import { StreamSender, type StreamFraming, type StreamHost } from './stream-sender.js';
import { openSource, streamKind, unsendableKind } from '../response/stream-source.js';
import { WsAcceptance } from '../ws/route.js';

// module-level copies: the per-request code reads a local binding, not an import's property (CJS)
const METHOD_HEAD = MethodId.Head;
const FLAG_BODY_STREAM = BODY_STREAM;
// a mutable copy: TurboFan does not inline element loads from a frozen array (a KeyedLoadIC call per request)
const NAMES: readonly string[] = METHOD_NAMES.slice();

/** A router miss, as the chain carries it to the 404/405/400 answer. */
type Miss = Exclude<MatchResult<RouteEntry>, { kind: 'found' }>;

function isMiss(t: RouteEntry | Miss): t is Miss {
  return typeof (t as Miss).kind === 'string';
}

/** Everything the dispatcher reads from its app (live: routes and hooks added later apply). @internal */
export interface DispatchConfig extends ErrorScope {
  readonly router: Router<RouteEntry>;
  readonly requestHooks: RequestHook[];
  readonly responseHooks: ResponseHook[];
  /** The app's own middleware (`app.use`): runs for every request, including 404/405. */
  readonly middleware: Middleware[];
  notFound: NotFoundHandler | null;
  methodNotAllowed: MethodNotAllowedHandler | null;
  readonly serverName: string;
  readonly formLimits: FormLimits;
  /** The app's `maxBodyBytes` (buffered reads of a streamed body stop there). */
  readonly maxBodyBytes: number;
  /** Trusted proxies (`trustProxy` option), null for none. */
  readonly trustProxy: TrustProxy | null;
  /** The app's Request class (a subclass carrying the app's extensions). */
  readonly RequestClass: new (host: RequestHost) => Request;
}

/** Where the dispatcher finds connection info (the listening transport), if any. */
export interface TransportInfo {
  dateHeader(): string;
  remote(conn: number): { address: string; port: number } | undefined;
  stats?(): import('@jato/native-loop').ServerStats;
}

/**
 * The hot path: turns each request of a batch into a response. Sync handler results are encoded and
 * handed to the transport at once; a Promise result detaches the request from batch memory first
 * and responds when it settles.
 *
 * The boundary is total: every call into user code (handlers, hooks, error handlers, not-found and
 * 405 handlers, the logger, thenables, Web Responses) and every encoding step is wrapped where it is
 * called. A throw there becomes a 500 for that request (the original error as the `cause` of what is
 * logged); the batch goes on; nothing is rethrown from `onBatch` or from a settle callback. Every
 * value that reaches a head is checked where the head is written (`sendResponse`).
 * @internal
 */
export class Dispatcher implements ServerHandlers, RequestHost {
  private readonly pool: Array<Request | undefined> = [];
  /** Requests that were detached for an async handler and answered: reused for new batch slots. */
  private readonly spare: Request[] = [];
  private readonly encoder: HeadEncoder;
  private readonly sharedLines = new SharedLines();
  private readonly watched = new Map<number, Set<AbortTarget>>();
  private transportInfo: TransportInfo | null = null;
  private lastText = '';
  /** The app's middleware composed (rebuilt when more is added). */
  private chain: RequestFn | null = null;
  private chainSize = 0;
  private lastTextLen = 0;
  readonly formLimits: FormLimits;
  /** What streamed responses call back into. */
  private readonly streamHost: StreamHost = {
    logError: (req, err) => this.logError(req, err),
    sendError: (req, err, out) => this.sendError(req, err, out),
    answered: (req) => this.answered(req),
  };
  readonly maxBodyBytes: number;
  /** Streamed request bodies by connection and sequence number. */
  private readonly bodies = new BodyStreams();
  /** Request flags kept at dispatch: all, or all but keep-alive once a graceful close began (`shutDown`). */
  private flagMask = ~0;
  readonly trustProxy: TrustProxy | null;

  constructor(private readonly cfg: DispatchConfig) {
    this.encoder = new HeadEncoder(cfg.serverName);
    this.formLimits = cfg.formLimits;
    this.maxBodyBytes = cfg.maxBodyBytes;
    this.trustProxy = cfg.trustProxy;
    this.onBatch = this.onBatch.bind(this);
    this.onConnectionClose = this.onConnectionClose.bind(this);
    this.onBodyChunks = this.onBodyChunks.bind(this);
  }

  /** Use a listening transport's cached Date and remote addresses. */
  setTransport(info: TransportInfo | null): void {
    this.transportInfo = info;
  }

  // ---- ServerHandlers -------------------------------------------------------------------------

  onBatch(batch: RequestBatch, out: Responder): void {
    const info = this.transportInfo;
    this.encoder.setDate(info === null ? currentDate() : info.dateHeader());
    const n = batch.count;
    const pool = this.pool;
    const router = this.cfg.router;
    const cfg = this.cfg;
    const hooked = cfg.requestHooks.length !== 0 || cfg.responseHooks.length !== 0 || cfg.middleware.length !== 0;
    const mask = this.flagMask;
    for (let i = 0; i < n; i++) {
      let req = pool[i];
      if (req === undefined) {
        req = this.spare.pop() ?? new this.cfg.RequestClass(this);
        pool[i] = req;
      }
      req.attach(batch, i, batch.conn(i), batch.seq(i), batch.flags(i) & mask);
      const id = batch.method(i);
      let result: unknown;
      try {
        const method = id === 0 ? batch.methodName(i) : NAMES[id]!;
        const target = batch.target(i);
        const q = target.indexOf('?');
        let path = q < 0 ? target : target.slice(0, q);
        if (path.charCodeAt(0) !== 47 /* '/' */) path = absolutePath(path);
        req.method = method;
        req.url = target;
        req.path = path;
        const m = router.match(method, path);
        if (m.kind === 'found') {
          req.params = m.params;
          req.route = m.pattern;
          if ((req.flags & FLAG_BODY_STREAM) !== 0) result = this.streamed(req, m.value, out, hooked);
          else result = hooked ? this.runChain(req, m.value) : m.value.handler(req);
        } else {
          req.route = '';
          req.params = EMPTY_PARAMS;
          result = hooked ? this.runChain(req, m) : this.missResult(req, m.kind, m.kind === 'method-not-allowed' ? m.allowed : null);
        }
      } catch (err) {
        result = this.errorResult(req, err);
      }
      try {
        if (typeof result === 'string' && !hooked) this.sendText(req, result, out, id === METHOD_HEAD);
        else this.send(req, result, out);
      } catch (err) {
        // send() answers every result error itself: only a transport failure gets here.
        this.logError(req, err);
      }
      if (req.batch === null) {
        pool[i] = undefined; // detached for async use: reused once answered (see settled)
      } else {
        if (req.bodySource !== null) this.bodies.drop(req);
        if (req.abortController !== null) this.unwatch(req);
        // Objects a pooled request keeps alive survive young-generation GCs, which makes V8 grow
        // the young generation (RSS): drop them now rather than when the slot is reused.
        req.release(EMPTY_PARAMS);
      }
    }
  }

  /**
   * A graceful close began: requests dispatched from now on, and those whose body is still streaming
   * in (the transports read it to its end), are answered with `Connection: close`; the transport ends
   * the connection after that response.
   */
  shutDown(): void {
    this.flagMask = ~FLAG_KEEP_ALIVE;
    this.bodies.closeAfter();
  }

  /** Chunks of streamed request bodies (see `BodySource`). */
  onBodyChunks(chunks: BodyChunks): void {
    this.bodies.deliver(chunks);
  }

  onConnectionClose(conn: number): void {
    this.bodies.abortConnection(conn);
    const set = this.watched.get(conn);
    if (set === undefined) return;
    this.watched.delete(conn);
    for (const req of set) req.abortNow();
  }

  // ---- RequestHost ----------------------------------------------------------------------------

  remote(conn: number): { address: string; port: number } | undefined {
    return this.transportInfo?.remote(conn);
  }

  listenerError(req: Request, err: unknown): void {
    this.logError(req, new Error('A req.signal abort listener threw', { cause: err }));
  }

  serverStats(): import('@jato/native-loop').ServerStats | undefined {
    return this.transportInfo?.stats?.();
  }

  isOpen(conn: number): boolean {
    const info = this.transportInfo;
    // In-process injection has no remote info: treat its virtual connection as open.
    return info === null || info.remote(conn) !== undefined;
  }

  watch(req: AbortTarget): void {
    let set = this.watched.get(req.conn);
    if (set === undefined) this.watched.set(req.conn, (set = new Set()));
    set.add(req);
  }

  unwatch(req: AbortTarget): void {
    const set = this.watched.get(req.conn);
    if (set === undefined) return;
    set.delete(req);
    if (set.size === 0) this.watched.delete(req.conn);
  }

  // ---- results --------------------------------------------------------------------------------

  /** The fast path: a 200 text/plain string. */
  private sendText(req: Request, text: string, out: Responder, head: boolean): void {
    const len = this.byteLength(text);
    const flags = req.flags;
    out.respond(req.conn, req.seq, this.encoder.text200Head(len, flags), head ? null : text, (flags & FLAG_KEEP_ALIVE) === 0);
  }

  /**
   * UTF-8 length of a body string. The previous answer is remembered (a fixed response costs a string
   * compare), and short strings are scanned in JS: ASCII is the common case and a Buffer binding call
   * costs more than the scan.
   */
  private byteLength(text: string): number {
    if (text === this.lastText) return this.lastTextLen;
    let len = text.length;
    if (len <= 128) {
      for (let k = 0; k < len; k++) {
        if (text.charCodeAt(k) > 0x7f) {
          len = Buffer.byteLength(text, 'utf8');
          break;
        }
      }
    } else len = Buffer.byteLength(text, 'utf8');
    this.lastText = text;
    this.lastTextLen = len;
    return len;
  }

  /**
   * Send any handler result; a thenable detaches the request and responds when it settles.
   * Never throws for a bad result: it is answered as a logged 500.
   * @returns true when the request is answered now (false: a thenable or Web Response owns it)
   */
  private send(req: Request, result: unknown, out: Responder): boolean {
    try {
      if (typeof result === 'string') {
        const ops = req.resOps;
        if (hasRecorded(ops) && this.cfg.responseHooks.length === 0 && this.sendRecordedText(req, result, ops, out)) return true;
      } else if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        if (!(result instanceof Response)) {
          this.deferred(req, result as PromiseLike<unknown>, out);
          return false;
        }
      }
      return this.finish(req, result, out, false);
    } catch (err) {
      this.sendError(req, err, out);
      return true;
    }
  }

  private deferred(req: Request, promise: PromiseLike<unknown>, out: Responder): void {
    req.detach();
    // The callbacks are made once per Request object and reused when it is pooled again.
    let s = req.settle;
    if (s === null) {
      s = req.settle = {
        out,
        fulfilled: (value: unknown) => this.settled(req, value),
        rejected: (err: unknown) => this.settled(req, this.errorResult(req, err)),
      };
    } else s.out = out;
    // A native promise settles once (its own `then` is used even if overridden); any other thenable
    // is adopted by one (its `then` may call back twice, late, or throw: ours run at most once).
    if (promise instanceof Promise) promiseThen.call(promise, s.fulfilled, s.rejected);
    else Promise.resolve(promise).then(s.fulfilled, s.rejected);
  }

  /** An async result settled: send it (or wait again for a thenable), then release the request. */
  private settled(req: Request, value: unknown): void {
    try {
      this.refreshDate();
    } catch {
      /* the previous Date stays */
    }
    // send() waits again (a thenable, or a Web Response whose body is read): that path owns it now
    if (!this.send(req, value, req.settle!.out as Responder)) return;
    this.answered(req);
  }

  /** An async request was answered: stop watching its connection and pool the object. */
  private answered(req: Request): void {
    if (req.bodySource !== null) this.bodies.drop(req);
    if (req.abortController !== null) this.unwatch(req);
    // Answered: its response is sent and the handler's promise settled, so the object is free.
    if (this.spare.length < SPARE_MAX) {
      req.release(EMPTY_PARAMS);
      this.spare.push(req);
    }
  }

  private refreshDate(): void {
    const info = this.transportInfo;
    this.encoder.setDate(info === null ? currentDate() : info.dateHeader());
  }

  /**
   * Encode and send a settled (non-thenable) result. Throws on a value that cannot be sent.
   * @returns false when a Web Response's body is being read (that path answers later)
   */
  private finish(req: Request, result: unknown, out: Responder, isError: boolean): boolean {
    const head = req.method === 'HEAD';
    const ops = req.resOps;
    if (hasRecorded(ops)) {
      // headers recorded by the app's outermost jato middleware (see compose) that `sendRecordedText`
      // did not send: set on the result's Response
      if (!isWebResponse(result)) {
        result = applyRecorded(toResponse(result), ops);
        ops[0] = 0;
      }
    }
    if (this.cfg.responseHooks.length !== 0) {
      if (result instanceof WsAcceptance) return this.wsAccept(req, result, out, isError);
      if (isWebResponse(result)) return this.fromWeb(req, result, out, isError);
      return this.sendResponse(req, this.applyResponseHooks(req, toResponse(result), isError), out, head);
    }
    const flags = req.flags;
    const close = (flags & FLAG_KEEP_ALIVE) === 0;
    if (typeof result === 'string') {
      this.sendText(req, result, out, head);
    } else if (result instanceof Response) {
      return this.sendResponse(req, result, out, head);
    } else if (result === null || result === undefined) {
      out.respond(req.conn, req.seq, this.encoder.head(STATUS_LINE[204]!, null, -1, '', flags), null, close);
    } else if (result instanceof Uint8Array) {
      const h = this.encoder.head(STATUS_LINE[200]!, OCTET_STREAM, result.byteLength, '', flags);
      out.respond(req.conn, req.seq, h, head ? null : result, close);
    } else if (result instanceof ArrayBuffer) {
      return this.finish(req, new Uint8Array(result), out, isError);
    } else if (result instanceof WsAcceptance) {
      return this.wsAccept(req, result, out, isError);
    } else if (isWebResponse(result)) {
      return this.fromWeb(req, result, out, isError);
    } else if (streamKind(result) !== null) {
      return this.sendResponse(req, new Response(result as object), out, head);
    } else {
      const bad = unsendableKind(result);
      if (bad !== null) throw new TypeError(`A handler returned ${bad}: jato cannot send it`);
      const json = JSON.stringify(result);
      if (typeof json !== 'string') {
        throw new TypeError(`A handler returned a value that cannot be sent (${typeof result})`);
      }
      const len = this.byteLength(json);
      out.respond(req.conn, req.seq, this.encoder.json200Head(len, flags), head ? null : json, close);
    }
    return true;
  }

  /**
   * A text result with headers recorded by the app's outermost jato middleware (see compose), without
   * onResponse hooks: the recorded lines go into its head (a cached prefix with the shared ones, its
   * own lines and numbered line after it). A small method of its own, for the middleware hot path.
   * @returns false when two recorded lines have the same name (then `finish` sets them on a Response)
   */
  private sendRecordedText(req: Request, text: string, ops: unknown[], out: Responder): boolean {
    const plan = req.resPlan as LeadPlan | null;
    if (plan !== null && plan.textable && ops[0] === plan.size) {
      // recorded by the app's LeadPlan: its head prefix is cached, its one own line is numbered
      ops[0] = 0;
      const tpl = plan.headFor(this.encoder.text200Prefix(this.byteLength(text)));
      sendPlanned(out, req, tpl, plan.numbered, req.method === 'HEAD' ? null : text, ops[plan.numSlot] as number);
      return true;
    }
    const sl = this.sharedLines;
    const prefix = sl.split(this.encoder.text200Prefix(this.byteLength(text)), ops);
    if (prefix === null) return false;
    ops[0] = 0;
    sendWithLines(out, req, prefix, sl.own, req.method === 'HEAD' ? null : text, sl.numbered, sl.num);
    return true;
  }

  /** An accepted WebSocket handshake (ws/route.ts): the 101, or the refusal the transport needs. */
  private wsAccept(req: Request, accepted: WsAcceptance, out: Responder, isError: boolean): boolean {
    const refusal = accepted.accept(req, out);
    return refusal === null || this.finish(req, refusal, out, isError);
  }

  /**
   * A Web-standard Response: sent as a jato Response whose body streams from the Web body (a body
   * that ends within its first turn still goes out as one response with a Content-Length).
   * @returns false when its body is being streamed (that path answers later)
   */
  private fromWeb(req: Request, web: globalThis.Response, out: Responder, isError: boolean): boolean {
    return this.finish(req, fromWebResponse(web), out, isError);
  }

  private applyResponseHooks(req: Request, res: Response, isError: boolean): Response {
    for (const hook of this.cfg.responseHooks) {
      try {
        const r = hook(req, res);
        if (r instanceof Response) res = r;
      } catch (err) {
        if (isError) {
          this.logError(req, new Error('an onResponse hook threw while sending an error response', { cause: err }));
          return res;
        }
        throw err;
      }
    }
    return res;
  }

  /**
   * Encode a jato Response. Every value that goes into the head is checked here, where it is
   * written (its fields are writable from plain JS): a bad one throws and the request gets a 500.
   */
  private sendResponse(req: Request, res: Response, out: Responder, head: boolean): boolean {
    if (!(res instanceof Response)) throw new TypeError('Not a jato Response');
    if (res.stream instanceof FileBody) res = res.stream.negotiate(req, res);
    const status = res.status;
    if (!isStatus(status)) throw new RangeError(`Invalid response status ${describe(status)}: expected a registered 200-599 code`);
    const reason = res.statusText;
    if (reason !== STATUS_TEXT[status] && !isHeaderValue(reason)) {
      throw new TypeError(`Invalid response statusText ${describe(reason)}`);
    }
    let body = res.body;
    if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new TypeError(`Invalid response body (${describe(body)}): expected a string, a Uint8Array or null`);
    }
    const defaultType = res.defaultType;
    if (defaultType !== null && !isHeaderValue(defaultType)) throw new TypeError(`Invalid response content type ${describe(defaultType)}`);
    let flags = req.flags;
    let lines = '';
    let hasType = false;
    let ownServer = false;
    let ownDate = false;
    let declared = '';
    const h = res.headers;
    if (!(h instanceof ResponseHeaders)) throw new TypeError('Invalid response headers: not a ResponseHeaders');
    // read through ResponseHeaders' own methods: a subclass cannot make names, keys and values disagree
    const count = headersSize.call(h);
    for (let i = 0; i < count; i++) {
      const name = nameAt.call(h, i);
      const value = valueAt.call(h, i);
      if (!isHeaderName(name) || !isHeaderValue(value)) {
        throw new TypeError(`Invalid response header ${describe(name)}: ${describe(value)}`);
      }
      const key = keyAt.call(h, i);
      switch (key) {
        case 'content-length':
          declared = value;
          continue;
        case 'transfer-encoding':
        case 'keep-alive':
          continue; // framing is jato's
        case 'connection':
          if (/(^|,)\s*close\s*(,|$)/i.test(value)) flags &= ~FLAG_KEEP_ALIVE;
          continue;
        case 'content-type':
          hasType = true;
          break;
        case 'server':
          ownServer = true;
          break;
        case 'date':
          ownDate = true;
          break;
      }
      lines += `${name}: ${value}\r\n`;
    }
    const stream = res.stream;
    const kind = stream === null ? null : streamKind(stream);
    if (stream !== null && kind === null) throw new TypeError(`Invalid response stream (${describe(stream)})`);
    if (isBodyless(status)) {
      body = null;
      if (kind !== null) openSource(stream!, kind).cancel();
    }
    const statusLine = reason === STATUS_TEXT[status] ? STATUS_LINE[status]! : `HTTP/1.1 ${status} ${reason}\r\n`;
    const type = hasType || (body === null && kind === null) ? null : defaultType;
    const len = body === null ? (isBodyless(status) ? -1 : 0) : typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
    let common = this.encoder.common;
    if (ownServer || ownDate) {
      common = '';
      if (!ownServer && this.cfg.serverName !== '') common += `Server: ${this.cfg.serverName}\r\n`;
      if (!ownDate) common += `Date: ${(this.transportInfo?.dateHeader() ?? currentDate())}\r\n`;
    }
    if (kind !== null && !isBodyless(status)) {
      return this.sendStream(req, out, stream!, kind, declared, statusLine, type, lines, flags, common);
    }
    const headStr = this.encoder.head(statusLine, type, len, lines, flags, common);
    out.respond(req.conn, req.seq, headStr, head ? null : body, (flags & FLAG_KEEP_ALIVE) === 0);
    return true;
  }

  /**
   * A streamed body (checked head parts given): chunked, or against the handler's Content-Length,
   * or close-delimited for HTTP/1.0. HEAD: the StreamSender sends the head only and cancels the source.
   * @returns false when the body is being streamed (the StreamSender answers the request)
   */
  private sendStream(
    req: Request, out: Responder, stream: object, kind: 'web' | 'node' | 'iterable', declaredText: string,
    statusLine: string, type: string | null, lines: string, flags: number, common: string,
  ): boolean {
    let declared = -1;
    if (declaredText !== '') {
      if (!/^\d{1,15}$/.test(declaredText)) {
        openSource(stream, kind).cancel();
        throw new TypeError(`Invalid Content-Length ${describe(declaredText)} for a streamed body`);
      }
      declared = Number(declaredText);
    }
    const chunked = declared < 0 && (flags & FLAG_HTTP10) === 0;
    if (declared < 0 && !chunked) flags &= ~FLAG_KEEP_ALIVE; // HTTP/1.0: the close ends the body
    const encoder = this.encoder;
    const streamLines = chunked ? `${lines}Transfer-Encoding: chunked\r\n` : lines;
    const framing: StreamFraming = {
      declared,
      chunked,
      close: (flags & FLAG_KEEP_ALIVE) === 0,
      head: (len) => (len >= 0 ? encoder.head(statusLine, type, len, lines, flags, common) : encoder.head(statusLine, type, -1, streamLines, flags, common)),
    };
    if (req.batch !== null) req.detach();
    new StreamSender(this.streamHost, req, out, framing, stream, kind).start();
    return false;
  }

  // ---- misses, hooks, errors ------------------------------------------------------------------

  private missResult(req: Request, kind: 'not-found' | 'method-not-allowed' | 'bad-param', allowed: readonly string[] | null): unknown {
    try {
      if (kind === 'not-found') {
        const h = this.cfg.notFound;
        if (h !== null) return h(req);
        // onResponse hooks and middleware may change the response (recorded headers are set on it):
        // they get their own, never the shared constant
        return this.cfg.responseHooks.length === 0 && this.cfg.middleware.length === 0
          ? NOT_FOUND_RESPONSE
          : new Response('Not Found', { status: 404 });
      }
      if (kind === 'method-not-allowed') {
        const allow = allowed!.join(', ');
        const h = this.cfg.methodNotAllowed;
        const r = h === null ? null : h(req, allowed!);
        if (h === null) return new Response('Method Not Allowed', { status: 405, headers: { allow } });
        return withAllow(r, allow);
      }
      return new Response('Bad Request: a path parameter is not valid percent-encoded UTF-8', { status: 400 });
    } catch (err) {
      return this.errorResult(req, err);
    }
  }

  /**
   * A request whose body is streamed (transport flag `BODY_STREAM`): the route's `bodyLimit` decides
   * (the app's `maxBodyBytes` without one). A declared length over it is a 413 without calling the
   * handler; otherwise the body is readable through `req.body` and friends.
   */
  private streamed(req: Request, route: RouteEntry, out: Responder, hooked: boolean): unknown {
    const limit = route.bodyLimit ?? this.maxBodyBytes;
    const declared = req.header('content-length');
    if (declared !== undefined && Number(declared) > limit) {
      return new Response(`Payload Too Large: the body is larger than ${limit} bytes`, { status: 413 });
    }
    this.bodies.open(req, out, limit);
    return hooked ? this.runChain(req, route) : route.handler(req);
  }

  /**
   * Middleware or hooks registered: run the app's middleware around its onRequest hooks and the
   * route's handler (or the 404/405/400 answer of a miss). Sync as long as everything is.
   */
  private runChain(req: Request, target: RouteEntry | Miss): unknown {
    const mw = this.cfg.middleware;
    if (mw.length === 0) return this.runHooked(req, target);
    if (this.chainSize !== mw.length) this.composeChain(mw);
    req.matched = target;
    clearRecorded(req.resOps);
    return this.chain!(req);
  }

  /**
   * Compose the app's middleware (again, when more was added: once per change). A method of its own:
   * closures made in `runChain` would cost each of its calls a context object.
   */
  private composeChain(mw: Middleware[]): void {
    this.chain = compose(mw, (r) => this.runHooked(r, r.matched as RouteEntry | Miss), (r, err) => this.errorResult(r, err), true);
    this.chainSize = mw.length;
  }

  /** Run the onRequest hooks, then the handler (sync as long as everything is). */
  private runHooked(req: Request, target: RouteEntry | Miss): unknown {
    const hooks = this.cfg.requestHooks;
    for (let k = 0; k < hooks.length; k++) {
      let r: unknown;
      try {
        r = hooks[k]!(req);
      } catch (err) {
        return this.errorResult(req, err);
      }
      if (isThenable(r)) return this.continueHooksAsync(req, target, r, k + 1);
      if (r !== undefined) return r;
    }
    try {
      return this.target(req, target);
    } catch (err) {
      return this.errorResult(req, err);
    }
  }

  /** Call the route's handler, or answer the miss. */
  private target(req: Request, target: RouteEntry | Miss): unknown {
    if (!isMiss(target)) return target.handler(req);
    return this.missResult(req, target.kind, target.kind === 'method-not-allowed' ? target.allowed : null);
  }

  private async continueHooksAsync(req: Request, target: RouteEntry | Miss, pending: PromiseLike<unknown>, next: number): Promise<unknown> {
    try {
      const first = await pending;
      if (first !== undefined) return first;
      const hooks = this.cfg.requestHooks;
      for (let k = next; k < hooks.length; k++) {
        const r = await hooks[k]!(req);
        if (r !== undefined) return r;
      }
      return await this.target(req, target);
    } catch (err) {
      return this.errorResult(req, err);
    }
  }

  /** The result for a thrown error: the app's handler for its class, else the default. Never throws. */
  private errorResult(req: Request, err: unknown): unknown {
    return errorResult(this.cfg, req, err);
  }

  /** Log `err` (a broken logger is ignored: it must not break the response). */
  private logError(req: Request, err: unknown): void {
    logError(this.cfg.logger, req, err);
  }

  /** Last resort when sending a result failed: a plain 500 from constant parts. Never throws. */
  private sendError(req: Request, err: unknown, out: Responder): void {
    this.logError(req, err);
    try {
      const body = internalErrorBody(this.cfg.development, err);
      const flags = req.flags;
      const h = this.encoder.head(STATUS_LINE[500]!, TEXT_PLAIN, Buffer.byteLength(body), '', flags);
      out.respond(req.conn, req.seq, h, req.method === 'HEAD' ? null : body, (flags & FLAG_KEEP_ALIVE) === 0);
    } catch (fatal) {
      // the transport itself failed: nothing more can be sent for this request
      this.logError(req, fatal);
    }
  }
}

/** A short description of a value for an error message (never throws). */
function describe(v: unknown): string {
  try {
    if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);
    if (typeof v === 'number') return String(v);
    return v === null ? 'null' : typeof v;
  } catch {
    return typeof v;
  }
}

// eslint-disable-next-line @typescript-eslint/unbound-method
const promiseThen = Promise.prototype.then;
/* eslint-disable @typescript-eslint/unbound-method */
const headersSize = Object.getOwnPropertyDescriptor(ResponseHeaders.prototype, 'size')!.get! as (this: ResponseHeaders) => number;
const nameAt = ResponseHeaders.prototype.nameAt;
const keyAt = ResponseHeaders.prototype.keyAt;
const valueAt = ResponseHeaders.prototype.valueAt;
/* eslint-enable @typescript-eslint/unbound-method */

/** Answered async requests kept for reuse (bounded: a burst of async work does not pin memory). */
const SPARE_MAX = 4096;

const EMPTY_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const NOT_FOUND_RESPONSE = new Response('Not Found', { status: 404 });

/**
 * The path of an absolute-form target (`http://host/a/b` → `/a/b`, `http://host` → `/`); other
 * forms (`*`, authority-form) are kept as they are and simply match no route.
 */
function absolutePath(target: string): string {
  const scheme = target.indexOf('://');
  if (scheme <= 0) return target;
  const slash = target.indexOf('/', scheme + 3);
  return slash < 0 ? '/' : target.slice(slash);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function' && !(v instanceof Response);
}

/**
 * A Web-standard (Fetch API) Response, recognised by shape so that plain apps never load undici
 * (reading `globalThis.Response` does).
 */
function isWebResponse(v: unknown): v is globalThis.Response {
  if (v === null || typeof v !== 'object') return false;
  const r = v as globalThis.Response;
  return (
    typeof r.arrayBuffer === 'function' && typeof r.status === 'number' && typeof r.headers === 'object' &&
    r.headers !== null && typeof r.headers.forEach === 'function'
  );
}

/** Add `Allow` to a custom 405 result that lacks it. */
function withAllow(result: unknown, allow: string): unknown {
  if (isThenable(result)) return Promise.resolve(result).then((r) => withAllow(r, allow));
  const res = toResponse(result);
  if (res.status === 405 && !res.headers.has('allow')) res.headers.set('Allow', allow);
  return res;
}
