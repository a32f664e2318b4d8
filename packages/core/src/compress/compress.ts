import * as zlib from 'node:zlib';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import { Response } from '../response/response.js';
import { addVary } from '../response/vary.js';
import { negotiateEncoding } from './accept-encoding.js';

/** A content coding `compress()` can produce. */
export type Encoding = 'zstd' | 'br' | 'gzip' | 'deflate';

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

/** Whether the runtime's zlib can produce `coding`. */
export function supportsEncoding(coding: Encoding): boolean {
  return coding === 'zstd' ? typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function' : true;
}

/**
 * Compression of buffered responses as middleware: gzip, brotli and zstd (where available),
 * negotiated from `Accept-Encoding` with q-values. Only bodies of at least `threshold` bytes with a
 * compressible content type are compressed; never 1xx/204/206/304 responses, HEAD requests or
 * bodies that already have a `Content-Encoding`. `Vary: Accept-Encoding` is added to every response
 * whose encoding depended on the header. Compression is synchronous (on the event loop): keep it
 * for the dynamic, moderately sized responses an API sends. Streamed responses are not compressed.
 */
export function compress(options: CompressOptions = {}): Middleware {
  const threshold = options.threshold ?? 1024;
  if (!Number.isSafeInteger(threshold) || threshold < 0) throw new RangeError('compress threshold must be a non-negative integer');
  const offered = (options.encodings ?? ['zstd', 'br', 'gzip']).filter(supportsEncoding);
  for (const e of offered) if (!['zstd', 'br', 'gzip', 'deflate'].includes(e)) throw new TypeError(`Unknown encoding ${String(e)}`);
  const filter = options.filter ?? ((type: string) => COMPRESSIBLE.test(type));
  const quality = options.brotliQuality ?? 4;
  const level = options.level ?? 6;
  const encoders: Record<Encoding, (b: Uint8Array) => Uint8Array> = {
    gzip: (b) => zlib.gzipSync(b, { level }),
    deflate: (b) => zlib.deflateSync(b, { level }),
    br: (b) =>
      zlib.brotliCompressSync(b, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.byteLength },
      }),
    zstd: (b) => (zlib as unknown as { zstdCompressSync(b: Uint8Array): Uint8Array }).zstdCompressSync(b),
  };

  return (req, next) => {
    if (req.method === 'HEAD') return next();
    return mapResponse(next(), (res) => {
      const status = res.status;
      if (status < 200 || status === 204 || status === 206 || status === 304) return;
      const body = res.body;
      const type = res.contentType;
      if (body === null || type === null || !filter(type)) return;
      if (res.headers.has('content-encoding')) return;
      addVary(res.headers, 'Accept-Encoding');
      const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      if (size < threshold) return;
      const coding = negotiateEncoding(req.header('accept-encoding'), offered) as Encoding | null;
      if (coding === null) return;
      const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      const packed = encoders[coding](raw);
      if (packed.byteLength >= size) return; // nothing gained
      const headers = res.headers;
      headers.set('Content-Type', type);
      headers.set('Content-Encoding', coding);
      const etag = headers.get('etag');
      if (etag !== null && !etag.startsWith('W/')) headers.set('ETag', `W/${etag}`); // not the same bytes
      return new Response(packed, { status, statusText: res.statusText, headers });
    });
  };
}
