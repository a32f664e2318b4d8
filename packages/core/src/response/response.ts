import { serializeCookie, type CookieOptions } from './cookie.js';
import { ResponseHeaders, checkHeaderValue, type HeadersInit } from './headers.js';
import { checkMediaType, checkParameterValue } from './media-type.js';
import { STATUS_TEXT, checkStatus } from './status.js';
import { streamKind, type StreamBody } from './stream-source.js';

/**
 * What a `Response` body may be: text (UTF-8), bytes, a stream (Web `ReadableStream`, Node
 * `Readable`, `AsyncIterable` of bytes or strings: sent as it is produced), or a value sent as JSON.
 */
export type ResponseBody = string | Uint8Array | ArrayBuffer | StreamBody | null | undefined | object | number | boolean;

/** Options of a `Response`, shaped like the Fetch API's `ResponseInit`. */
export interface ResponseInit {
  /** A registered final status code (200–599); anything else throws a RangeError (default 200). */
  status?: number;
  /** Reason phrase (default: the registry's). */
  statusText?: string;
  headers?: HeadersInit;
  /**
   * Media type, e.g. 'text/html' or 'text/html; level=1' (a `content-type` header wins over it).
   * Must be `type/subtype` tokens with optional parameters, else a TypeError.
   */
  type?: string;
  /**
   * Charset appended to `type` (default utf-8 for text/* types with a string body). Must be an
   * RFC 9110 token (e.g. `utf-8`, `iso-8859-1`), else a TypeError: it is written into the head.
   */
  charset?: string;
}

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const APPLICATION_JSON = 'application/json';
export const OCTET_STREAM = 'application/octet-stream';
const REDIRECTS = new Set([300, 301, 302, 303, 307, 308]);
const EMPTY = new Uint8Array(0);

/**
 * An HTTP response, shaped like the Fetch API's `Response` but built for jato's encoder: the body is
 * kept as given (a string is sent as UTF-8, bytes as is, any other value as JSON).
 *
 * Everything is checked twice: when the response is built (a RangeError/TypeError at once) and
 * again when its head is written, so a field changed from plain JS (`readonly` is only in the
 * types) to an invalid value — a status outside the registry, a reason phrase with CR/LF, a body
 * that is neither a string, bytes nor null — is answered as a logged 500, never sent.
 *
 * ```ts
 * new Response('created', { status: 201, headers: { location: '/items/1' } })
 * Response.json({ ok: true })
 * Response.redirect('/login')
 * new Response('hi').cookie('session', 'abc', { httpOnly: true, sameSite: 'Lax' })
 * ```
 */
export class Response {
  /** The status code (checked at creation). */
  readonly status: number;
  /** The reason phrase. */
  readonly statusText: string;
  /** Response header lines (multi-valued); `Content-Length`, `Date` framing is added by jato. */
  readonly headers: ResponseHeaders;
  /** The body: a UTF-8 string, bytes, or null for none (and for a streamed body). */
  readonly body: string | Uint8Array | null;
  /**
   * A streamed body (then `body` is null): sent chunked, or checked against a `content-length`
   * header the handler set; pulled only while the client keeps up; cancelled when the client leaves.
   */
  readonly stream: StreamBody | null = null;
  /** The media type sent when no `content-type` header was set (null: none). */
  readonly defaultType: string | null;

  constructor(body?: ResponseBody, init?: ResponseInit) {
    const status = init?.status ?? 200;
    this.status = checkStatus(status);
    if (init?.statusText !== undefined) {
      this.statusText = checkHeaderValue('status text', init.statusText);
    } else {
      this.statusText = STATUS_TEXT[status]!;
    }
    this.headers = new ResponseHeaders(init?.headers);
    let type: string | null;
    if (body === null || body === undefined) {
      this.body = null;
      type = null;
    } else if (typeof body === 'string') {
      this.body = body;
      type = TEXT_PLAIN;
    } else if (body instanceof Uint8Array) {
      this.body = body;
      type = OCTET_STREAM;
    } else if (body instanceof ArrayBuffer) {
      this.body = new Uint8Array(body);
      type = OCTET_STREAM;
    } else if (streamKind(body) !== null) {
      this.body = null;
      this.stream = body as StreamBody;
      type = OCTET_STREAM;
    } else {
      this.body = JSON.stringify(body) ?? 'null';
      type = APPLICATION_JSON;
    }
    if (init?.charset !== undefined) checkParameterValue('charset', init.charset);
    if (init?.type !== undefined) {
      checkMediaType(init.type);
      const charset = init.charset ?? (typeof this.body === 'string' && init.type.startsWith('text/') ? 'utf-8' : undefined);
      type = charset === undefined ? init.type : `${init.type}; charset=${charset}`;
      checkHeaderValue('content-type', type);
    } else if (init?.charset !== undefined && type !== null) {
      type = `${type.split(';')[0]!}; charset=${init.charset}`;
    }
    this.defaultType = type;
  }

  /** The `Content-Type` this response will carry (header, else the default for its body), or null. */
  get contentType(): string | null {
    return this.headers.get('content-type') ?? (this.body === null && this.stream === null ? null : this.defaultType);
  }

  /** Append a `Set-Cookie` header; see `CookieOptions` for the attributes. */
  cookie(name: string, value: string, options?: CookieOptions): this {
    this.headers.append('Set-Cookie', serializeCookie(name, value, options));
    return this;
  }

  /** Append a `Set-Cookie` header that deletes the cookie (`Max-Age=0`, past `Expires`). */
  clearCookie(name: string, options?: Omit<CookieOptions, 'maxAge' | 'expires'>): this {
    return this.cookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  /** The body as bytes (UTF-8 for text). */
  bytes(): Uint8Array {
    if (this.body === null) return EMPTY;
    return typeof this.body === 'string' ? Buffer.from(this.body, 'utf8') : this.body;
  }

  /** The body as text (UTF-8 decoding of bytes). */
  text(): string {
    if (this.body === null) return '';
    return typeof this.body === 'string' ? this.body : Buffer.from(this.body.buffer, this.body.byteOffset, this.body.byteLength).toString('utf8');
  }

  /** A JSON response (`application/json`). */
  static json(data: unknown, init?: ResponseInit): Response {
    return new Response(JSON.stringify(data) ?? 'null', { type: APPLICATION_JSON, ...init });
  }

  /** A text response (`text/plain; charset=utf-8` unless `init.type` says otherwise). */
  static text(text: string, init?: ResponseInit): Response {
    return new Response(text, init);
  }

  /** An HTML response (`text/html; charset=utf-8`). */
  static html(html: string, init?: ResponseInit): Response {
    return new Response(html, { type: 'text/html', ...init });
  }

  /**
   * A redirect to `url` with `Location` set.
   * @param status 301, 302 (default), 303, 307, 308 or 300; another status throws a RangeError
   */
  static redirect(url: string | URL, status = 302): Response {
    if (!REDIRECTS.has(status)) throw new RangeError(`Invalid redirect status ${String(status)}`);
    const location = typeof url === 'string' ? url : url.href;
    return new Response(null, { status, headers: { location: encodeLocation(location) } });
  }
}

/** Percent-encode what may not appear raw in a header (non-ASCII) while keeping valid escapes. */
function encodeLocation(url: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x21-\x7E]*$/.test(url)) return url;
  if (/[\r\n\0]/.test(url)) throw new TypeError('Invalid redirect URL: control characters are not allowed');
  return encodeURI(url).replace(/%25([0-9A-Fa-f]{2})/g, '%$1');
}
