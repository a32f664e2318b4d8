import type * as Zlib from 'node:zlib';
import { zlib as loadZlib } from '../runtime/lazy-zlib.js';

/** A content coding `compress()` can produce. */
export type Encoding = 'zstd' | 'br' | 'gzip' | 'deflate';

/** The codings jato knows, whether or not the runtime has them. */
export const ENCODINGS: readonly Encoding[] = ['zstd', 'br', 'gzip', 'deflate'];

/** Settings shared by the buffered and the streaming encoders. */
export interface EncoderSettings {
  /** gzip/deflate level 0–9. */
  level: number;
  /** Brotli quality 0–11. */
  quality: number;
}

/** The zstd part of `node:zlib` (Node 22.15+, 23.8+), absent from older typings. */
interface ZstdZlib {
  zstdCompressSync?(b: Uint8Array): Buffer;
  createZstdCompress?(): Zlib.Gzip;
}

/** Whether the runtime's zlib can produce `coding` (buffered and streamed). */
export function supportsEncoding(coding: Encoding): boolean {
  if (coding !== 'zstd') return true;
  const z = loadZlib() as unknown as ZstdZlib;
  return typeof z.zstdCompressSync === 'function' && typeof z.createZstdCompress === 'function';
}

/** A one-shot encoder per coding (synchronous, for buffered bodies). */
export function bufferEncoders(s: EncoderSettings): Record<Encoding, (b: Uint8Array) => Uint8Array> {
  const zlib = loadZlib();
  return {
    gzip: (b) => zlib.gzipSync(b, { level: s.level }),
    deflate: (b) => zlib.deflateSync(b, { level: s.level }),
    br: (b) =>
      zlib.brotliCompressSync(b, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: s.quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.byteLength },
      }),
    zstd: (b) => (zlib as unknown as Required<ZstdZlib>).zstdCompressSync(b),
  };
}

/** A streaming encoder: the zlib transform and the flush kind that emits all input written so far. */
export interface StreamEncoder {
  readonly z: Zlib.Gzip | Zlib.BrotliCompress | Zlib.Deflate;
  /** Passed to `z.flush()`: a sync flush (the stream stays open, the dictionary is kept). */
  readonly flushKind: number;
}

/** A streaming encoder per coding (zlib's thread pool does the work, off the event loop). */
export function streamEncoders(s: EncoderSettings): Record<Encoding, () => StreamEncoder> {
  const zlib = loadZlib();
  const c = zlib.constants as typeof zlib.constants & { ZSTD_e_flush?: number };
  return {
    gzip: () => ({ z: zlib.createGzip({ level: s.level }), flushKind: c.Z_SYNC_FLUSH }),
    deflate: () => ({ z: zlib.createDeflate({ level: s.level }), flushKind: c.Z_SYNC_FLUSH }),
    br: () => ({
      z: zlib.createBrotliCompress({ params: { [c.BROTLI_PARAM_QUALITY]: s.quality } }),
      flushKind: c.BROTLI_OPERATION_FLUSH,
    }),
    zstd: () => ({ z: (zlib as unknown as Required<ZstdZlib>).createZstdCompress(), flushKind: c.ZSTD_e_flush ?? 1 }),
  };
}
