import { RequestFlag } from '@jato/native-loop';
import { BadRequestError } from '../errors/http-error.js';
import type { Request as JatoRequest } from '../request/request.js';
import { delegateToReal } from './delegate-to-real.js';
import { joinChunks } from './join-chunks.js';

const FLAG_CHUNKED = RequestFlag.Chunked;
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder('utf-8');
/** Counts `Headers` objects built for requests (tests check that laziness holds). @internal */
export const lazyStats = { headers: 0, urls: 0 };

/**
 * The Web `Request` a fetch handler gets from `serve()`: lazy. `method` is a string jato already has;
 * `url`, `headers` (a `Headers`), `body` (a `ReadableStream` fed with backpressure) and `signal`
 * (aborts when the client leaves) are built on first read, so a handler that reads only `url` pays for
 * nothing else. It is an `instanceof Request` (its prototype chain leads to the runtime's
 * `Request.prototype`); what it does not implement itself (`cache`, `mode`, `clone()`…) is answered
 * by a real `Request` built on first use.
 *
 * It reads jato's request while the handler's response is not yet sent. When the handler has its
 * response, `seal()` copies what was not read yet (header lines, a whole body) so the object stays
 * valid afterwards (e.g. in work passed to `waitUntil`); a streamed body that was not read by then is
 * discarded, as jato does for every request, and reading it later errors.
 * @internal (exposed as the standard `Request` type)
 */
export class LazyRequest {
  /** The method token as sent. */
  readonly method: string;
  private src: JatoRequest | null;
  private target: string;
  private lines: readonly string[] | null = null;
  private urlCache: string | null = null;
  private headersCache: Headers | null = null;
  private bodyCache: ReadableStream<Uint8Array> | null | undefined = undefined;
  private bodyBytes: Uint8Array | null = null;
  private used = false;
  private signalCache: AbortSignal | null = null;
  private realCache: globalThis.Request | null = null;
  /** The scheme of the URL ('http', or 'https' behind a trusted proxy). */
  private readonly scheme: string;

  constructor(src: JatoRequest, scheme: string) {
    this.src = src;
    this.method = src.method;
    this.target = src.url;
    this.scheme = scheme;
  }

  /** Header lines `[name, value, …]` as sent. */
  private headerLines(): readonly string[] {
    if (this.lines !== null) return this.lines;
    const src = this.src;
    if (src === null) return (this.lines = []);
    const lines = src.rawLines ?? (src.batch === null ? [] : src.batch.headerLines(src.index));
    src.rawLines = lines;
    return (this.lines = lines);
  }

  private header(key: string): string | undefined {
    const l = this.headerLines();
    for (let j = 0; j < l.length; j += 2) {
      const n = l[j]!;
      if (n.length === key.length && (n === key || n.toLowerCase() === key)) return l[j + 1]!;
    }
    return undefined;
  }

  /**
   * The absolute URL: scheme, the `Host` header and the target (or an absolute-form target as
   * sent), normalised as the URL parser does. A request without a usable host throws a 400.
   */
  get url(): string {
    if (this.urlCache !== null) return this.urlCache;
    lazyStats.urls++;
    const target = this.target;
    let url: string;
    if (target.charCodeAt(0) === 47 /* / */) {
      const host = this.header('host');
      if (host === undefined || host === '') throw new BadRequestError('Bad Request: the request has no Host header');
      url = `${this.scheme}://${host}${target}`;
      if (!plainHost(host, this.scheme) || !isPlainTarget(target)) url = normalise(url);
    } else url = normalise(target);
    return (this.urlCache = url);
  }

  /** The request's headers (a `Headers`, built on first read). */
  get headers(): Headers {
    if (this.headersCache !== null) return this.headersCache;
    lazyStats.headers++;
    const h = new Headers();
    const l = this.headerLines();
    for (let j = 0; j < l.length; j += 2) h.append(l[j]!, l[j + 1]!);
    return (this.headersCache = h);
  }

  /** Whether the request has a body (Content-Length or chunked framing; never for GET/HEAD). */
  private hasBody(): boolean {
    if (this.method === 'GET' || this.method === 'HEAD') return false;
    const src = this.src;
    if (src !== null && (src.bodySource !== null || (src.flags & FLAG_CHUNKED) !== 0)) return true;
    if (this.bodyBytes !== null) return true;
    return this.header('content-length') !== undefined;
  }

  /**
   * The body as a `ReadableStream` of bytes (null without one). A body larger than the whole-body
   * limit arrives as it is read (the socket is read only while this stream is), as jato's `req.body`.
   */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.bodyCache !== undefined) return this.bodyCache;
    if (!this.hasBody()) return (this.bodyCache = null);
    const src = this.src;
    if (src !== null) return (this.bodyCache = src.body);
    const bytes = this.bodyBytes;
    if (bytes === null) {
      return (this.bodyCache = new ReadableStream<Uint8Array>({
        start(c) {
          c.error(new TypeError('The request body was not read before the response was sent: it was discarded'));
        },
      }));
    }
    return (this.bodyCache = new ReadableStream<Uint8Array>({
      start(c) {
        if (bytes.byteLength > 0) c.enqueue(bytes);
        c.close();
      },
    }));
  }

  /** Whether the body was read. */
  get bodyUsed(): boolean {
    if (this.used) return true;
    const b = this.bodyCache;
    return b !== undefined && b !== null && b.locked;
  }

  /** Aborts when the client closes the connection before the response is sent. */
  get signal(): AbortSignal {
    if (this.signalCache !== null) return this.signalCache;
    const src = this.src;
    return (this.signalCache = src !== null ? src.signal : new AbortController().signal);
  }

  /** The body as bytes. */
  async bytes(): Promise<Uint8Array> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    const src = this.src;
    if (this.bodyCache === undefined && src !== null && this.hasBody()) {
      // whole bodies: no stream needed (jato's bytes() keeps the limits for streamed ones)
      if (src.bodySource === null) return src.bytes();
    }
    const body = this.body;
    if (body === null) return EMPTY;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    return joinChunks(chunks, size);
  }

  /** The body as an ArrayBuffer. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.bytes();
    // a copy unless `b` is exactly its own buffer (a Buffer's slice() would be a view of a larger one)
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : new Uint8Array(b).buffer;
  }

  /** The body decoded as UTF-8. */
  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  /** The body parsed as JSON (a SyntaxError when it is not JSON). */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  /** The body as a Blob (typed from `Content-Type`). */
  async blob(): Promise<Blob> {
    const type = this.header('content-type') ?? '';
    return new Blob([await this.bytes()], { type });
  }

  /** The body as FormData (parsed by the runtime's Request). */
  async formData(): Promise<FormData> {
    const bytes = await this.bytes();
    return new globalThis.Request(this.url, { method: 'POST', headers: this.headers, body: bytes }).formData();
  }

  /** A copy (the body, if any, is teed between the two). */
  clone(): globalThis.Request {
    if (this.bodyUsed) throw new TypeError('Request.clone: Body has already been consumed.');
    const body = this.body;
    let other: ReadableStream<Uint8Array> | null = null;
    if (body !== null) {
      const [a, b] = body.tee();
      this.bodyCache = a;
      other = b;
    }
    return new globalThis.Request(this.url, {
      method: this.method, headers: this.headers, signal: this.signal,
      ...(other !== null ? { body: other, duplex: 'half' } : {}),
    } as RequestInit);
  }

  /** A real Request with the same URL, method and headers (for the attributes this class does not hold). */
  private real(): globalThis.Request {
    if (this.realCache === null) {
      this.realCache = new globalThis.Request(this.url, { method: this.method, headers: this.headers });
    }
    return this.realCache;
  }

  /**
   * @internal the handler has its response: copy what is still in jato's request (header lines, a
   * whole body) so this object stays valid once jato's request is reused.
   */
  seal(): void {
    const src = this.src;
    if (src === null) return;
    this.headerLines();
    if (this.signalCache === null && src.abortController !== null) this.signalCache = src.signal;
    if (this.bodyCache === undefined && src.bodySource === null && !this.used && this.hasBody()) {
      if (src.batch === null) this.bodyBytes = src.bodyCopy ?? EMPTY; // detached: the copy is this request's
      else {
        const view = src.batch.body(src.index);
        this.bodyBytes = view.byteLength === 0 ? EMPTY : new Uint8Array(view); // a copy, not a view
      }
    }
    this.src = null;
  }

  /** @internal the real-Request delegate (see `installRequestPrototype`). */
  static realOf(r: LazyRequest): globalThis.Request {
    return r.real();
  }
}

let installed = false;

/**
 * Make `LazyRequest` an `instanceof Request` of this runtime, and answer every attribute and method of
 * `Request.prototype` it does not define itself from a real Request (`cache`, `mode`, `keepalive`…).
 * Done on first use, so that loading jato does not load the runtime's fetch implementation.
 * @internal
 */
export function installRequestPrototype(): void {
  if (installed) return;
  installed = true;
  delegateToReal(LazyRequest.prototype, globalThis.Request.prototype, (r) => LazyRequest.realOf(r));
}

// the answer for the last Host seen (clients send the same one on every request of a connection)
let lastHost = '';
let lastScheme = '';
let lastPlain = false;

function plainHost(host: string, scheme: string): boolean {
  if (host === lastHost && scheme === lastScheme) return lastPlain;
  lastPlain = isPlainHost(host, scheme);
  lastHost = host;
  lastScheme = scheme;
  return lastPlain;
}

/**
 * A Host value the URL parser keeps as it is: a lowercase name (letters, digits, `-`, `.`) whose last
 * label does not start with a digit, or a dotted-decimal IPv4 address without leading zeros; then an
 * optional port without leading zeros that is not the scheme's default.
 */
function isPlainHost(host: string, scheme: string): boolean {
  let end = host.length;
  const colon = host.indexOf(':');
  if (colon >= 0) {
    const port = host.slice(colon + 1);
    if (!/^[1-9][0-9]{0,4}$/.test(port) || Number(port) > 65535) return false;
    if (port === (scheme === 'https' ? '443' : '80')) return false;
    end = colon;
  }
  if (end === 0) return false;
  let labelStart = 0;
  for (let i = 0; i < end; i++) {
    const c = host.charCodeAt(i);
    if (c === 46) labelStart = i + 1;
    else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) return false;
  }
  const first = host.charCodeAt(labelStart);
  if (labelStart < end && !(first >= 48 && first <= 57)) return true;
  // the last label starts with a digit: the URL parser reads the name as an IPv4 address
  return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host.slice(0, end));
}

/**
 * A target the URL parser keeps as it is: `/`, then characters it does not escape or normalise, no
 * `%` (kept, but checked by the slow path), no dot segments, no `#`.
 */
function isPlainTarget(target: string): boolean {
  let query = false;
  for (let i = 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === 63 /* ? */) {
      query = true;
      continue;
    }
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)) continue;
    switch (c) {
      case 45: case 95: case 126: case 33: case 36: case 38: case 40: case 41: case 42: case 43:
      case 44: case 59: case 61: case 58: case 64: case 47:
        continue;
      case 46: /* . : a dot segment is normalised */
        if (query) continue;
        if (target.charCodeAt(i - 1) === 47) {
          const n = target.charCodeAt(i + 1);
          if (n === 47 || n === 63 || Number.isNaN(n) || n === 46) return false;
        }
        continue;
      case 39: /* ' is escaped in a query */
        if (query) return false;
        continue;
      default:
        return false;
    }
  }
  return true;
}

function normalise(url: string): string {
  try {
    return new URL(url).href;
  } catch (err) {
    throw new BadRequestError('Bad Request: the request-target and Host do not make a valid URL', { cause: err });
  }
}
