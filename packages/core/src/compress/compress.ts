import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import { Response } from '../response/response.js';
import { openSource, streamKind } from '../response/stream-source.js';
import { addVary } from '../response/vary.js';
import { negotiateEncoding } from './accept-encoding.js';
import { compressStream, peekSource } from './compress-stream.js';
import { ENCODINGS, bufferEncoders, streamEncoders, supportsEncoding, type Encoding } from './encoders.js';

export { supportsEncoding, type Encoding } from './encoders.js';

/** Options of `compress()`. */
export interface CompressOptions {
  /** Bodies smaller than this many bytes are sent as they are (1024). */
  threshold?: number;
  /**
   * Codings offered, in preference order (['zstd', 'br', 'gzip'], zstd only where `node:zlib` has
   * it). The client's q-values decide first; ties go to this order.
   */
  encodings?: readonly Encoding[];
  /** Which content types to compress (default: text/*, JSON, JavaScript, XML, SVG, wasm, …). */
  filter?: (contentType: string) => boolean;
  /** Brotli quality 0–11 (4: fast, good enough for dynamic responses). */
  brotliQuality?: number;
  /** gzip/deflate level 0–9 (6). */
  level?: number;
}

const COMPRESSIBLE = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|wasm)\b|image\/svg\+xml|font\/(?:ttf|otf))/i;

/** What a streamed body may produce in its first turn and still be treated as a buffered one. */
const PEEK_MAX = 64 * 1024;

/**
 * Compression as middleware: gzip, brotli and zstd (where available), negotiated from
 * `Accept-Encoding` with q-values. Only bodies with a compressible content type are compressed;
 * never 1xx/204/206/304 responses, HEAD requests, bodies that already have a `Content-Encoding` or
 * responses marked `Cache-Control: no-transform`. `Vary: Accept-Encoding` is added to every response
 * whose encoding depended on the header.
 *
 * Buffered bodies of at least `threshold` bytes are compressed synchronously (keep it for the
 * dynamic, moderately sized responses an API sends). Streamed bodies (a `ReadableStream`, a Node
 * `Readable`, an `AsyncIterable`, a Web `Response` body) are compressed as they stream, through
 * `node:zlib` streams with backpressure, sent chunked; the compressor is flushed whenever the source
 * pauses, so each server-sent event or NDJSON line reaches the client when it is produced. A stream
 * that ends within its first event-loop turn is treated as a buffered body (threshold included).
 */
export function compress(options: CompressOptions = {}): Middleware {
  const threshold = options.threshold ?? 1024;
  if (!Number.isSafeInteger(threshold) || threshold < 0) throw new RangeError('compress threshold must be a non-negative integer');
  const listed = options.encodings ?? ['zstd', 'br', 'gzip'];
  for (const e of listed) if (!ENCODINGS.includes(e)) throw new TypeError(`Unknown encoding ${String(e)}`);
  const offered = listed.filter(supportsEncoding);
  const filter = options.filter ?? ((type: string) => COMPRESSIBLE.test(type));
  const settings = { quality: options.brotliQuality ?? 4, level: options.level ?? 6 };
  const encoders = bufferEncoders(settings);
  const streamers = streamEncoders(settings);

  /** The buffered body compressed, or null when it stays as it is. */
  const packBuffered = (res: Response, body: string | Uint8Array, coding: Encoding | null): Response | undefined => {
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (size < threshold || coding === null) return undefined;
    const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const packed = encoders[coding](raw);
    if (packed.byteLength >= size) return undefined; // nothing gained
    return new Response(packed, { status: res.status, statusText: res.statusText, headers: encoded(res, coding) });
  };

  /** A streamed body: peeked for one turn, then compressed as it streams (or as a buffered one). */
  const packStream = async (res: Response, stream: object, coding: Encoding): Promise<Response> => {
    const kind = streamKind(stream);
    if (kind === null) return res; // the dispatcher answers an invalid stream with a 500
    res.headers.set('Content-Type', res.contentType!);
    const src = openSource(stream, kind);
    const peeked = await peekSource(src, PEEK_MAX);
    if (peeked.done) {
      const body = peeked.chunks.length === 1 ? peeked.chunks[0]! : Buffer.concat(peeked.chunks, peeked.size);
      const plain = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      return packBuffered(plain, body, coding) ?? plain;
    }
    const headers = encoded(res, coding);
    headers.delete('content-length'); // the compressed length is not known: chunked
    return new Response(compressStream(src, peeked, streamers[coding]()), { status: res.status, statusText: res.statusText, headers });
  };

  return (req, next) => {
    if (req.method === 'HEAD') return next();
    return mapResponse(next(), (res) => {
      const status = res.status;
      if (status < 200 || status === 204 || status === 206 || status === 304) return;
      const body = res.body;
      const stream = res.stream;
      const type = res.contentType;
      if ((body === null && stream === null) || type === null || !filter(type)) return;
      const headers = res.headers;
      if (headers.has('content-encoding') || /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(headers.get('cache-control') ?? '')) return;
      addVary(headers, 'Accept-Encoding');
      const coding = negotiateEncoding(req.header('accept-encoding'), offered) as Encoding | null;
      if (body !== null) return packBuffered(res, body, coding);
      if (coding === null) return;
      const declared = headers.get('content-length');
      if (declared !== null && /^\d{1,15}$/.test(declared) && Number(declared) < threshold) return;
      return packStream(res, stream!, coding);
    });
  };
}

/** `res`'s headers for a body encoded with `coding` (a strong ETag becomes weak: not the same bytes). */
function encoded(res: Response, coding: Encoding) {
  const headers = res.headers;
  headers.set('Content-Type', res.contentType!);
  headers.set('Content-Encoding', coding);
  const etag = headers.get('etag');
  if (etag !== null && !etag.startsWith('W/')) headers.set('ETag', `W/${etag}`);
  return headers;
}
