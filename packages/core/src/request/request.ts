import { RequestFlag, type RequestBatch } from '@jato/native-loop';
import { BadRequestError } from '../errors/http-error.js';
import type { BodySource } from './body-source.js';
import { BodyChunkIterator } from './body-chunk-iterator.js';
import type { StreamOptions } from './stream-options.js';
import { copyBytes } from './copy-bytes.js';
import { parseCookies } from './cookies.js';
import { parseForm, type Form } from './form.js';
import { parseHost, type HostParts } from './host.js';
import { multipartOf, type MultipartPart } from './multipart-stream.js';
import { guardSignal } from './guarded-signal.js';
import type { AbortTarget, RequestHost } from './request-host.js';
import { clientAddress, readForwarded, type ForwardedInfo } from './trust-proxy.js';

const EMPTY_BODY = new Uint8Array(0);
const NO_LINES: readonly string[] = [];
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
const FLAG_KEEP_ALIVE = RequestFlag.KeepAlive;
const FLAG_HTTP10 = RequestFlag.Http10;
const FLAG_CHUNKED = RequestFlag.Chunked;
const decoder = new TextDecoder('utf-8');

/**
 * The authority of an absolute-form request-target (`http://example.com:8080/a` →
 * `example.com:8080`, without userinfo), or undefined for origin-form and other targets.
 */
function absoluteAuthority(target: string): string | undefined {
  if (target.charCodeAt(0) === 47 /* '/' */ || target === '') return undefined;
  const scheme = target.indexOf('://');
  if (scheme <= 0) return undefined;
  let end = target.length;
  for (let k = scheme + 3; k < target.length; k++) {
    const c = target.charCodeAt(k);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
      end = k;
      break;
    }
  }
  const authority = target.slice(scheme + 3, end);
  const at = authority.lastIndexOf('@');
  return at < 0 ? authority : authority.slice(at + 1);
}

/** A request's rarely built caches (one object, made when the first of them is). */
class LazyParts {
  query: URLSearchParams | null = null;
  cookies: Record<string, string> | null = null;
  host: HostParts | null = null;
  remote: { address: string; port: number } | null = null;
  ext: Record<string, unknown> | null = null;
  /** the Web stream over a whole body, once `body` was read */
  bodyStream: ReadableStream<Uint8Array> | null = null;
  /** the copy `body` took while the batch was live: `detach` keeps it instead of copying again */
  bodyStreamCopy: Uint8Array | null = null;
}

/** A header's value after `prev` (repeated lines joined: `; ` for cookie lines, else `, `). */
function joinValue(prev: string | undefined, key: string, value: string): string {
  return prev === undefined ? value : `${prev}${key === 'cookie' ? '; ' : ', '}${value}`;
}

/** The last name `header()` lowercased, and its lower case. */
let lastName = '';
let lastKey = '';

/**
 * An incoming HTTP request. Lazy: nothing is decoded until read (`req.headers`, `req.query`,
 * `req.cookies`, `await req.json()`…).
 *
 * A sync handler may use it only while it runs; an async handler may keep using it until its response
 * is sent (jato copies what it needs out of the transport's memory when the handler returns a Promise).
 *
 * `P` is the params record typed from the route pattern (`'/users/:id'` → `{ id: string }`).
 */
export class Request<P = Record<string, string>> {
  /** The method token as sent (`GET`, `POST`, …). */
  method = '';
  /** The raw request-target as sent (`/search?q=a%20b`). */
  url = '';
  /** The path part of the target, still percent-encoded (`/search`). */
  path = '';
  /** Route params, percent-decoded. Typed from the route pattern. */
  params: P = NO_PARAMS as P;
  /** The registered route pattern that matched (`/users/:id`), or '' when none did. */
  route = '';
  /** @internal connection id */
  conn = 0;
  /** @internal sequence number on the connection */
  seq = 0;
  /** @internal flags (RequestFlag bits) */
  flags = 0;
  /** @internal source batch while attached, null once detached */
  batch: RequestBatch | null = null;
  /** @internal index in the batch */
  index = 0;
  /** @internal header lines [name, value, name, value…] once materialised */
  rawLines: readonly string[] | null = null;
  /** @internal body copy once detached */
  bodyCopy: Uint8Array | null = null;
  /** @internal the streamed body (transport flag BODY_STREAM), null for a whole one */
  bodySource: BodySource | null = null;
  /** @internal lazily computed header map */
  private headerMap: Record<string, string> | null = null;
  /** @internal what few requests build (query, cookies, host, remote, body stream): made on first use */
  private lazy: LazyParts | null = null;
  /** @internal abort controller, created when `signal` is first read */
  abortController: AbortController | null = null;
  /** @internal the route entry (or router miss) the app's middleware chain leads to */
  matched: unknown = null;
  /** @internal the dispatcher that made this request (remote addresses, aborts, limits) */
  readonly hub: RequestHost;
  /**
   * @internal response headers recorded by the app's outermost jato middleware (`recordHeader`):
   * [used slots, op, name, key, value, line, …] applied when the response is encoded; reused per request
   */
  resOps: unknown[] | null = null;
  /** @internal the LeadPlan whose records `resOps` holds past its count (none since recorded otherwise), or null */
  resPlan: unknown = null;
  /** @internal the dispatcher's settle callbacks for this object, made once and reused when pooled */
  settle: { fulfilled(value: unknown): void; rejected(err: unknown): void; out: unknown } | null = null;

  /** @internal Requests are created by jato's dispatcher, not by users. */
  constructor(host: RequestHost) {
    this.hub = host;
  }

  /** @internal attach to request `index` of `batch` (the dispatcher sets method/url/path/params). */
  attach(batch: RequestBatch, index: number, conn: number, seq: number, flags: number): void {
    this.batch = batch;
    this.index = index;
    this.conn = conn;
    this.seq = seq;
    this.flags = flags;
    if (this.abortController !== null) this.abortController = null;
    // no caches to drop: release() dropped them, and nothing caches on a released object (`pooled`)
  }

  /**
   * @internal the response was sent and the object goes back to the pool: drop what the request made
   * (strings, lazily built objects) so the pool does not keep them alive until the slot is reused.
   */
  release(params: P): void {
    this.params = params;
    this.url = '';
    this.path = '';
    this.batch = null;
    this.dropCaches();
  }

  /**
   * Forget what was decoded or built lazily for the previous request (stores only what is set). The
   * rarely built caches live in one side object, so this is five checks on the hot path.
   */
  private dropCaches(): void {
    if (this.rawLines !== null) this.rawLines = null;
    if (this.headerMap !== null) this.headerMap = null;
    if (this.lazy !== null) this.lazy = null;
    if (this.bodyCopy !== null) this.bodyCopy = null;
    if (this.bodySource !== null) this.bodySource = null;
  }

  /**
   * Whether the object is back in the pool (released, neither attached nor detached): a handler that
   * kept it past its response may still read it, but what it builds is not cached, so the next
   * request never sees it.
   */
  private get pooled(): boolean {
    return this.batch === null && this.bodyCopy === null;
  }

  /** The side object of rarely built caches, made on first use. */
  private parts(): LazyParts {
    if (this.lazy !== null) return this.lazy;
    const lazy = new LazyParts();
    if (!this.pooled) this.lazy = lazy;
    return lazy;
  }

  /** @internal cache of lazy extension properties (in the side object) */
  get extCache(): Record<string, unknown> | null {
    return this.lazy === null ? null : this.lazy.ext;
  }

  set extCache(cache: Record<string, unknown> | null) {
    this.parts().ext = cache;
  }

  /** @internal copy everything still in batch memory, so the request outlives the batch. */
  detach(): void {
    const batch = this.batch;
    if (batch === null) return;
    const lines = this.rawLines ?? (this.rawLines = this.readLines(batch));
    // Only a request with Content-Length or chunked framing has a body: skip the view otherwise.
    let framed = (this.flags & FLAG_CHUNKED) !== 0;
    for (let j = 0; !framed && j < lines.length; j += 2) {
      const name = lines[j]!;
      framed = name.length === 14 && name.toLowerCase() === 'content-length';
    }
    if (framed && this.bodySource === null) {
      const body = batch.body(this.index);
      // the body stream's copy when one was taken (one copy per request, not two)
      this.bodyCopy = body.byteLength === 0 ? EMPTY_BODY : (this.lazy?.bodyStreamCopy ?? copyBytes(body));
    } else {
      this.bodyCopy = EMPTY_BODY;
    }
    this.batch = null;
  }

  private readLines(batch: RequestBatch): readonly string[] {
    return batch.headerLines(this.index);
  }

  private lines(): readonly string[] {
    if (this.rawLines !== null) return this.rawLines;
    // detached requests have their lines already (detach()); a pooled one has none to cache
    return this.batch === null ? NO_LINES : (this.rawLines = this.readLines(this.batch));
  }

  /** Header lines as sent: `[name, value]` pairs in order, names not lowercased. */
  get rawHeaders(): Array<[string, string]> {
    const l = this.lines();
    const out: Array<[string, string]> = [];
    for (let j = 0; j < l.length; j += 2) out.push([l[j]!, l[j + 1]!]);
    return out;
  }

  /**
   * Headers by lowercased name. Repeated headers are joined with `, ` (`cookie` with `; `), as in
   * node:http; use `headerValues(name)` for the separate lines.
   */
  get headers(): Readonly<Record<string, string | undefined>> {
    if (this.headerMap === null) {
      const map = Object.create(null) as Record<string, string>;
      const l = this.lines();
      for (let j = 0; j < l.length; j += 2) {
        const key = l[j]!.toLowerCase();
        const prev = map[key];
        map[key] = joinValue(prev, key, l[j + 1]!);
      }
      if (this.pooled) return map;
      this.headerMap = map;
    }
    return this.headerMap;
  }

  /** The value of header `name` (case-insensitive; repeated lines joined), or undefined. */
  header(name: string): string | undefined {
    // the same name as the previous call (a literal in a middleware) is lowercased once
    if (name !== lastName) {
      lastKey = name.toLowerCase();
      lastName = name;
    }
    return this.headerLower(lastKey);
  }

  /** @internal `header()` for a name already in lower case (jato's middleware: no lowercasing per call). */
  headerLower(key: string): string | undefined {
    if (this.headerMap !== null) return this.headerMap[key];
    const batch = this.batch;
    if (this.rawLines === null && batch !== null && batch.headerIndexOf !== undefined) {
      // a lookup in batch memory: no copy of the lines (most lookups of middleware find nothing)
      let j = batch.headerIndexOf(this.index, key, 0);
      if (j < 0) return undefined;
      let found = batch.headerValue(this.index, j);
      while ((j = batch.headerIndexOf(this.index, key, j + 1)) >= 0) {
        found = joinValue(found, key, batch.headerValue(this.index, j));
      }
      return found;
    }
    // a few lookups (what middleware does) are cheaper as scans than building the whole map
    const l = this.lines();
    let found: string | undefined;
    for (let j = 0; j < l.length; j += 2) {
      const n = l[j]!;
      // the first letters compared before lowercasing: most names of the same length differ there
      if (n.length === key.length && (n === key || ((n.charCodeAt(0) | 0x20) === (key.charCodeAt(0) | 0x20) && n.toLowerCase() === key))) {
        found = joinValue(found, key, l[j + 1]!);
      }
    }
    return found;
  }

  /** Every line of header `name` (case-insensitive), in order. */
  headerValues(name: string): string[] {
    const key = name.toLowerCase();
    const l = this.lines();
    const out: string[] = [];
    for (let j = 0; j < l.length; j += 2) if (l[j]!.toLowerCase() === key) out.push(l[j + 1]!);
    return out;
  }

  /** The query string without `?` ('' when none). */
  get queryString(): string {
    const q = this.url.indexOf('?');
    return q < 0 ? '' : this.url.slice(q + 1);
  }

  /** The parsed query (repeated keys kept: `query.getAll('tag')`; `+` is a space). */
  get query(): URLSearchParams {
    const lazy = this.parts();
    return (lazy.query ??= new URLSearchParams(this.queryString));
  }

  /** Cookies from the `Cookie` header (first occurrence of a name wins). */
  get cookies(): Readonly<Record<string, string | undefined>> {
    const lazy = this.parts();
    return (lazy.cookies ??= parseCookies(this.header('cookie')));
  }

  /** Whether the connection stays open after this request (HTTP/1.1 default, `Connection` header). */
  get keepAlive(): boolean {
    return (this.flags & FLAG_KEEP_ALIVE) !== 0;
  }

  /** '1.1' or '1.0'. */
  get httpVersion(): '1.1' | '1.0' {
    return (this.flags & FLAG_HTTP10) !== 0 ? '1.0' : '1.1';
  }

  /**
   * Host name the request is for (lowercased, no port, IPv6 without brackets; '' if none): from
   * the target when it is in absolute form (`GET http://example.com/a`, RFC 9112 §3.2.2: the
   * `Host` header is then ignored), else from the `Host` header.
   */
  get hostname(): string {
    return this.hostParts().hostname;
  }

  /**
   * The authority the request is for, as sent (`example.com:8080`): the absolute-form target's,
   * else the `Host` header ('' if none). Like Express's `req.host`; `hostname` and `port` are its
   * parsed parts.
   */
  get host(): string {
    const fwd = this.forwarded();
    if (fwd !== null && fwd.host !== undefined) return fwd.host;
    return absoluteAuthority(this.url) ?? this.header('host') ?? '';
  }

  /**
   * The client's address: the peer's, or, when the peer is a trusted proxy (`trustProxy`), the
   * nearest untrusted address of `Forwarded`/`X-Forwarded-For` ('' if the connection is gone).
   */
  get ip(): string {
    const peer = this.remoteAddress;
    if (peer === undefined) return '';
    const trust = this.hub.trustProxy;
    if (trust === null || !trust(peer)) return peer;
    return clientAddress(peer, readForwarded((n) => this.header(n)).for, trust);
  }

  /** 'https' when a trusted proxy says so (`X-Forwarded-Proto`/`Forwarded: proto=`), else 'http'. */
  get protocol(): 'http' | 'https' {
    return this.forwarded()?.proto === 'https' ? 'https' : 'http';
  }

  /** What a trusted proxy forwarded, or null (no trusted proxy in front). */
  private forwarded(): ForwardedInfo | null {
    const trust = this.hub.trustProxy;
    if (trust === null) return null;
    const peer = this.remoteAddress;
    if (peer === undefined || !trust(peer)) return null;
    return readForwarded((n) => this.header(n));
  }

  /** Port the request is for (from an absolute-form target, else from `Host`), or undefined when none is named. */
  get port(): number | undefined {
    return this.hostParts().port;
  }

  private hostParts(): HostParts {
    const lazy = this.parts();
    return (lazy.host ??= parseHost(this.hub.trustProxy === null ? absoluteAuthority(this.url) ?? this.header('host') : this.host));
  }

  private remoteInfo(): { address: string; port: number } | null {
    const lazy = this.parts();
    if (lazy.remote === null) lazy.remote = this.hub.remote(this.conn) ?? null;
    return lazy.remote;
  }

  /** The client's IP address (undefined if the connection is already gone). */
  get remoteAddress(): string | undefined {
    return this.remoteInfo()?.address;
  }

  /** The client's port (undefined if the connection is already gone). */
  get remotePort(): number | undefined {
    return this.remoteInfo()?.port;
  }

  /**
   * Aborts when the client goes away before the response is sent. Pass it on to work an async
   * handler starts (`fetch(url, { signal: req.signal })`).
   */
  get signal(): AbortSignal {
    if (this.abortController === null) {
      this.abortController = new AbortController();
      guardSignal(this.abortController.signal, (err) => this.hub.listenerError(this as Request, err));
      if (this.hub.isOpen(this.conn)) this.hub.watch(this);
      else this.abortNow();
    }
    return this.abortController.signal;
  }

  /** @internal the connection closed (or the route timed out: `reason`) */
  abortNow(reason?: unknown): void {
    const c = this.abortController;
    if (c !== null && !c.signal.aborted) {
      c.abort(reason ?? new DOMException('The client closed the connection', 'AbortError'));
    }
  }

  /** The body bytes, valid while the request is (copied out of transport memory when needed). */
  private bodyView(): Uint8Array {
    if (this.bodyCopy !== null) return this.bodyCopy;
    return this.batch === null ? EMPTY_BODY : this.batch.body(this.index);
  }

  /**
   * Body length in bytes. For a streamed body (`req.streamed`) the declared Content-Length, or -1
   * when the body is chunked (its length is known once it was read).
   */
  get bodyLength(): number {
    if (this.bodySource !== null) {
      const declared = this.header('content-length');
      return declared === undefined ? -1 : Number(declared);
    }
    return this.bodyView().byteLength;
  }

  /**
   * Whether the body arrives as a stream (it was larger than the app's `maxBodyBytes`, or chunked and
   * not complete with its head, on a route that allows it with `bodyLimit`). Every way of reading
   * works either way; `bytes()`, `text()`, `json()` and `form()` still stop at `maxBodyBytes` (413).
   */
  get streamed(): boolean {
    return this.bodySource !== null;
  }

  /**
   * The body as a Web `ReadableStream` of bytes (readable once). A streamed body is pulled from the
   * connection as it is read: the transport reads the socket only while the reader keeps up, and
   * `Expect: 100-continue` is answered on the first read. It errors with a 413 `PayloadTooLargeError`
   * over the route's `bodyLimit`, with an `AbortError` when the client leaves (`req.signal` fires too).
   * The body can be read until the response is sent; what is unread then is discarded.
   */
  get body(): ReadableStream<Uint8Array> {
    const src = this.bodySource;
    if (src !== null) return src.stream();
    const lazy = this.parts();
    if (lazy.bodyStream === null) {
      const view = this.bodyView();
      const copy = view === this.bodyCopy ? view : copyBytes(view);
      if (this.batch !== null) lazy.bodyStreamCopy = copy;
      lazy.bodyStream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (copy.byteLength > 0) controller.enqueue(copy);
          controller.close();
        },
      });
    }
    return lazy.bodyStream;
  }

  /**
   * The body as an async iterable of byte chunks: `for await (const chunk of req.stream()) …`
   * (the same data and rules as `req.body`). Each chunk is yours to keep.
   *
   * `{ borrowed: true }`: each chunk is valid only until the next one is asked for (or the
   * iteration ends); its bytes may then be overwritten by later ones. Use or copy a chunk before
   * the loop goes on, and keep no view of it (nor of its `buffer`). In exchange the native loop
   * reads a large streamed body into the same few buffers of its connection instead of fresh memory
   * per read: less CPU per MiB uploaded (fewer allocations, less garbage for the GC, memory that
   * stays in the cache). Elsewhere (JS transport, small bodies) the chunks are the default ones.
   */
  stream(options?: StreamOptions): AsyncGenerator<Uint8Array, void, undefined> {
    const src = this.bodySource;
    // a streamed body read once from here: straight from its source (no Web stream in between)
    if (src !== null) return new BodyChunkIterator(src, () => this.readChunks(), options?.borrowed === true);
    return this.readChunks();
  }

  /** `stream()` through the Web stream of `body`. */
  private async *readChunks(): AsyncGenerator<Uint8Array, void, undefined> {
    const reader = this.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }

  /**
   * The parts of a `multipart/form-data` body as they arrive, each with its content as a stream:
   * `for await (const part of req.multipart()) await pipeline(part.stream(), createWriteStream(p))`.
   * Read (or skip) each part before the next one comes. The app's form limits apply (`maxParts`,
   * `maxFiles`, `maxFieldBytes` for fields, `maxFileBytes` for files, `maxPartHeaderBytes`): over one
   * the iteration throws a 413; a malformed body a 400; another content type a 415.
   */
  multipart(): AsyncGenerator<MultipartPart, void, undefined> {
    return multipartOf(this.header('content-type'), this.stream(), this.hub.formLimits);
  }

  /** The body as bytes (a copy you may keep). */
  bytes(): Promise<Uint8Array> {
    if (this.bodySource !== null) return this.bodySource.collect(this.hub.maxBodyBytes);
    const view = this.bodyView();
    return Promise.resolve(view === this.bodyCopy ? view : copyBytes(view));
  }

  /** The body decoded as UTF-8 (invalid sequences become U+FFFD). */
  text(): Promise<string> {
    if (this.bodySource !== null) return this.bytes().then((b) => decoder.decode(b));
    return Promise.resolve(decoder.decode(this.bodyView()));
  }

  /** The body parsed as JSON; an empty or invalid body rejects with a 400 `BadRequestError`. */
  json<T = unknown>(): Promise<T> {
    if (this.bodySource !== null) return this.bytes().then((b) => parseJson<T>(decoder.decode(b)));
    return parseJson<T>(decoder.decode(this.bodyView()));
  }

  /**
   * The body decoded as a form (`application/x-www-form-urlencoded` or `multipart/form-data`):
   * text fields and files. Rejects with 415 for another content type, 400 for a malformed body and
   * 413 above the app's form limits.
   */
  form(): Promise<Form> {
    if (this.bodySource !== null) {
      return this.bytes().then((b) => parseForm(this.header('content-type'), b, this.hub.formLimits));
    }
    try {
      return Promise.resolve(parseForm(this.header('content-type'), this.bodyView(), this.hub.formLimits));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

function parseJson<T>(text: string): Promise<T> {
  if (text.trim() === '') return Promise.reject(new BadRequestError('Invalid JSON body: the body is empty'));
  try {
    return Promise.resolve(JSON.parse(text) as T);
  } catch (err) {
    return Promise.reject(new BadRequestError(`Invalid JSON body: ${(err as Error).message}`, { cause: err }));
  }
}
