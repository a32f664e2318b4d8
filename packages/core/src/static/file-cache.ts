import { statSync, type Stats } from 'node:fs';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';
import { ResponseHeaders } from '../response/headers.js';
import { bare, ifRangeHolds, notModified, preconditions } from './send-file.js';
import { parseRange } from './range.js';

/** Options of the small-file cache of `serveStatic`. */
export interface FileCacheOptions {
  /** Bytes of file content kept, least recently used first out (default 8 MiB). */
  maxBytes?: number;
  /** Files up to this size are kept (default 64 KiB). */
  maxFileBytes?: number;
}

interface Entry {
  /** The path to stat on a hit (root + the request's segments: no realpath needed). */
  full: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  bytes: Uint8Array;
  /** The headers of a 200 (names, values), checked when they were first built. */
  lines: Array<[string, string]>;
  etag: string | null;
  lastModified: number;
  /** The turn whose stat confirmed it (see FileCache.turn). */
  checked: number;
}

/**
 * A bounded LRU cache of small files for `serveStatic`: content and ready headers by request path.
 * An entry is used only while a `stat` of the path shows the same file (device, inode) with the same
 * size, mtime and ctime, so a changed, replaced or removed file is never served from memory (it is
 * dropped and read again). The stat is shared by the requests of one synchronous turn (a batch the
 * loop hands over at once, e.g. pipelined requests): at most one per file per turn.
 */
export class FileCache {
  private readonly map = new Map<string, Entry>();
  private bytes = 0;
  /** Bumped after each turn that used the cache (process.nextTick: after the batch's handlers). */
  private turn = 1;
  private bumping = false;
  private readonly bump = (): void => {
    this.turn++;
    this.bumping = false;
  };
  readonly maxBytes: number;
  readonly maxFileBytes: number;

  constructor(o: FileCacheOptions = {}) {
    this.maxBytes = o.maxBytes ?? 8 * 1024 * 1024;
    this.maxFileBytes = Math.min(o.maxFileBytes ?? 64 * 1024, this.maxBytes);
    if (!(this.maxBytes >= 0) || !(this.maxFileBytes >= 0)) throw new RangeError('serveStatic: cache sizes must be >= 0');
  }

  /** The response for `req` from the entry of `key`, or null (miss, stale, or a multi-range request). */
  respond(req: Request<object>, key: string): Response | null {
    const e = this.map.get(key);
    if (e === undefined) return null;
    if (e.checked !== this.turn) {
      const st = statSync(e.full, { throwIfNoEntry: false });
      if (st === undefined || st.ino !== e.ino || st.dev !== e.dev || st.size !== e.size || st.mtimeMs !== e.mtimeMs || st.ctimeMs !== e.ctimeMs || !st.isFile()) {
        this.drop(key, e);
        return null;
      }
      e.checked = this.turn;
      if (!this.bumping) {
        this.bumping = true;
        process.nextTick(this.bump);
      }
    }
    this.map.delete(key); // most recently used last
    this.map.set(key, e);
    const headers = new ResponseHeaders(e.lines);
    const pre = preconditions(req, e.etag, e.lastModified);
    if (pre !== 0) return pre === 304 ? notModified(headers) : bare(412, headers);
    const range = req.method === 'GET' && headers.has('accept-ranges') ? req.header('range') : undefined;
    if (range !== undefined && ifRangeHolds(req.header('if-range'), e.etag, e.lastModified)) {
      const r = parseRange(range, e.size, 1);
      if (r === 'unsatisfiable') {
        headers.set('Content-Range', `bytes */${e.size}`);
        return bare(416, headers);
      }
      if (r !== null) {
        const { start, end } = r[0]!;
        headers.set('Content-Range', `bytes ${start}-${end}/${e.size}`);
        return new Response(e.bytes.subarray(start, end + 1), { status: 206, headers });
      }
      if (parseRange(range, e.size, 16) !== null) return null; // several ranges: the file path builds them
    }
    return new Response(e.bytes, { headers });
  }

  /** Keep a whole small file read for `key` (`full` is the path a hit stats). */
  store(key: string, full: string, st: Stats, bytes: Uint8Array, headers: ResponseHeaders): void {
    if (bytes.byteLength > this.maxFileBytes) return;
    const old = this.map.get(key);
    if (old !== undefined) this.drop(key, old);
    const lines: Array<[string, string]> = [];
    for (let i = 0; i < headers.size; i++) lines.push([headers.nameAt(i), headers.valueAt(i)]);
    const lastModified = headers.has('last-modified') ? Math.floor(st.mtimeMs / 1000) : NaN;
    this.map.set(key, {
      full, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, bytes, lines, etag: headers.get('etag'), lastModified, checked: 0,
    });
    this.bytes += bytes.byteLength;
    for (const [k, e] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.map.size;
  }

  private drop(key: string, e: Entry): void {
    this.map.delete(key);
    this.bytes -= e.bytes.byteLength;
  }
}
