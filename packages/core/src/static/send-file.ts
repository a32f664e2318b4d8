import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';
import { ResponseHeaders, type HeadersInit } from '../response/headers.js';
import { addVary } from '../response/vary.js';
import { DEFAULT_FD_BUDGET, type FdBudget } from './fd-budget.js';
import { FileStream, type FilePiece } from './file-stream.js';
import { parseRange } from './range.js';
import { etagOf, mtimeSeconds, parseHttpDate, type EtagKind } from './validators.js';

/** How a file is sent (options shared by `file()` and `serveStatic`). */
export interface FileSendOptions {
  /** `ETag`: 'weak' (default, from size and mtime), 'strong' (also the inode) or false for none. */
  etag?: EtagKind;
  /** Send `Last-Modified` and honour `If-Modified-Since`/`If-Unmodified-Since` (default true). */
  lastModified?: boolean;
  /** `Cache-Control: public, max-age=<seconds>` (default 0: `public, max-age=0`). */
  maxAge?: number;
  /** Add `immutable` to `Cache-Control` (for content-hashed file names). */
  immutable?: boolean;
  /** A `Cache-Control` value used as is instead of `maxAge`/`immutable` (false: no header). */
  cacheControl?: string | false;
  /** Honour `Range` and send `Accept-Ranges: bytes` (default true). */
  acceptRanges?: boolean;
  /**
   * Ranges (after merging) above which a multi-range request gets the whole file with 200 instead
   * of `multipart/byteranges` (default 16; 1 sends every multi-range request the whole file).
   */
  maxRanges?: number;
  /** More response headers (a `Content-Type` here wins over the one from the file name). */
  headers?: HeadersInit;
}

/** What is known about the file to send. @internal */
export interface FileTarget {
  /** The path to open (a real path for serveStatic). */
  path: string;
  /** Content-Type (from the name the client asked for). */
  type: string;
  /** The content coding of a precompressed sibling ('br', 'gzip') or null. */
  encoding: string | null;
  /** Add `Vary: Accept-Encoding` (a precompressed sibling exists). */
  vary: boolean;
  /** `Content-Disposition` value or null. */
  disposition: string | null;
}

/** Files up to this size (the part to send) are read at once and sent from memory. */
export const SMALL_FILE = 64 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** Open `path` for reading without following a final symlink or blocking; the fd and its stat, or null when it is not a regular file. @internal */
export function openRegular(path: string): { fd: number; stat: Stats } | null {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile()) return { fd, stat };
  } catch {
    /* fall through: close */
  }
  closeSync(fd);
  return null;
}

/** Read exactly `length` bytes at `start` (a file that became shorter is an Error). */
function readWhole(fd: number, start: number, length: number): Uint8Array {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, start + got);
    if (n === 0) throw new Error(`The file became shorter while it was being read (${length - got} bytes missing)`);
    got += n;
  }
  return buf;
}

function cacheControlOf(o: FileSendOptions): string | null {
  if (o.cacheControl !== undefined) return o.cacheControl === false ? null : o.cacheControl;
  const age = o.maxAge ?? 0;
  if (!Number.isFinite(age) || age < 0) throw new RangeError(`maxAge must be a number of seconds >= 0, got ${String(age)}`);
  return `public, max-age=${Math.floor(age)}${o.immutable === true ? ', immutable' : ''}`;
}

/** Whether one of the entity-tags of an `If-Match`/`If-None-Match` list matches `etag`. */
function matchesTag(list: string, etag: string | null, weak: boolean): boolean {
  if (list.trim() === '*') return true;
  if (etag === null) return false;
  const mine = weak && etag.startsWith('W/') ? etag.slice(2) : etag;
  if (!weak && etag.startsWith('W/')) return false; // strong comparison never matches a weak tag
  for (const raw of list.split(',')) {
    let t = raw.trim();
    if (weak && t.startsWith('W/')) t = t.slice(2);
    else if (!weak && t.startsWith('W/')) continue;
    if (t === mine) return true;
  }
  return false;
}

/**
 * The response for sending the file `target` to `req` (RFC 9110): preconditions first
 * (`If-Match`/`If-Unmodified-Since` → 412; `If-None-Match`/`If-Modified-Since` → 304 for GET/HEAD),
 * then `Range` (with `If-Range`) → 206, 206 `multipart/byteranges` or 416, else 200. A small body is
 * read at once; a larger one streams from the open descriptor (a slot of `budget`; none free: 503).
 * Returns null when `target.path` is not a regular file (the caller answers 404).
 * @param status the status of a whole-file answer (200 unless the handler asked for another; not
 *   200 disables preconditions and ranges)
 * @internal
 */
export function sendFile(
  req: Request<object>, target: FileTarget, opts: FileSendOptions, status = 200, budget: FdBudget = DEFAULT_FD_BUDGET,
  onWhole?: (stat: Stats, bytes: Uint8Array, headers: ResponseHeaders) => void,
): Response | null {
  const opened = openRegular(target.path);
  if (opened === null) return null;
  const { fd, stat } = opened;
  let owned = true;
  try {
    const headers = new ResponseHeaders(opts.headers);
    const type = headers.get('content-type') ?? target.type;
    headers.set('Content-Type', type);
    const etag = etagOf(stat, opts.etag ?? 'weak', target.encoding === null ? '' : `-${target.encoding}`);
    const lastModified = opts.lastModified === false ? NaN : mtimeSeconds(stat);
    if (etag !== null) headers.set('ETag', etag);
    if (!Number.isNaN(lastModified)) headers.set('Last-Modified', new Date(lastModified * 1000).toUTCString());
    const cache = cacheControlOf(opts);
    if (cache !== null && !headers.has('cache-control')) headers.set('Cache-Control', cache);
    if (target.vary) addVary(headers, 'Accept-Encoding');
    if (target.encoding !== null) headers.set('Content-Encoding', target.encoding);
    if (target.disposition !== null) headers.set('Content-Disposition', target.disposition);
    const ranges = opts.acceptRanges !== false;
    if (ranges) headers.set('Accept-Ranges', 'bytes');
    const size = stat.size;
    const method = req.method;

    if (status === 200) {
      const pre = preconditions(req, etag, lastModified);
      if (pre !== 0) return pre === 304 ? notModified(headers) : bare(412, headers);
    }

    let pieces: FilePiece[] = [{ start: 0, end: size - 1 }];
    let length = size;
    let code = status;
    const rangeHeader = ranges && status === 200 && method === 'GET' ? req.header('range') : undefined;
    if (rangeHeader !== undefined && ifRangeHolds(req.header('if-range'), etag, lastModified)) {
      const r = parseRange(rangeHeader, size, opts.maxRanges ?? 16);
      if (r === 'unsatisfiable') {
        headers.set('Content-Range', `bytes */${size}`);
        return bare(416, headers);
      }
      if (r !== null && r.length === 1) {
        const { start, end } = r[0]!;
        code = 206;
        pieces = [{ start, end }];
        length = end - start + 1;
        headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
      } else if (r !== null) {
        code = 206;
        const boundary = randomBytes(12).toString('hex');
        pieces = [];
        length = 0;
        for (const { start, end } of r) {
          const partHead = Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${start}-${end}/${size}\r\n\r\n`, 'latin1');
          pieces.push(partHead, { start, end }, CRLF);
          length += partHead.byteLength + (end - start + 1) + 2;
        }
        const tail = Buffer.from(`--${boundary}--\r\n`, 'latin1');
        pieces.push(tail);
        length += tail.byteLength;
        headers.set('Content-Type', `multipart/byteranges; boundary=${boundary}`);
      }
    }
    if (size === 0 && code === 200) return new Response(EMPTY, { status: code, headers });
    if (length <= SMALL_FILE && pieces.length === 1) {
      const p = pieces[0] as { start: number; end: number };
      const bytes = readWhole(fd, p.start, length);
      if (code === 200 && status === 200 && length === size) onWhole?.(stat, bytes, headers);
      return new Response(bytes, { status: code, headers });
    }
    if (!budget.tryAcquire()) {
      return new Response('Service Unavailable: too many files are being sent', { status: 503, headers: { 'retry-after': '1' } });
    }
    headers.set('Content-Length', String(length));
    owned = false;
    return new Response(new FileStream(fd, pieces, budget), { status: code, headers });
  } finally {
    if (owned) closeSync(fd);
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');
const EMPTY = new Uint8Array(0);

/**
 * The preconditions of RFC 9110 §13.2.2 in their order: 412 (`If-Match`, else
 * `If-Unmodified-Since`), 304 for GET/HEAD (412 otherwise) from `If-None-Match`, else
 * `If-Modified-Since`; 0 when the request goes on. @internal
 */
export function preconditions(req: Request<object>, etag: string | null, lastModified: number): 0 | 304 | 412 {
  const method = req.method;
  const getOrHead = method === 'GET' || method === 'HEAD';
  const ifMatch = req.header('if-match');
  if (ifMatch !== undefined) {
    if (!matchesTag(ifMatch, etag, false)) return 412;
  } else {
    const ius = parseHttpDate(req.header('if-unmodified-since'));
    if (!Number.isNaN(ius) && !Number.isNaN(lastModified) && lastModified > ius) return 412;
  }
  const ifNoneMatch = req.header('if-none-match');
  if (ifNoneMatch !== undefined) {
    if (matchesTag(ifNoneMatch, etag, true)) return getOrHead ? 304 : 412;
  } else if (getOrHead) {
    const ims = parseHttpDate(req.header('if-modified-since'));
    if (!Number.isNaN(ims) && !Number.isNaN(lastModified) && lastModified <= ims) return 304;
  }
  return 0;
}

/** `If-Range`: the Range applies only when the validator names the current representation (strongly). */
export function ifRangeHolds(value: string | undefined, etag: string | null, lastModified: number): boolean {
  if (value === undefined) return true;
  const v = value.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return etag !== null && !etag.startsWith('W/') && v === etag;
  const date = parseHttpDate(v);
  return !Number.isNaN(date) && date === lastModified;
}

/** A response without a body that keeps the validators and caching headers (412, 416). */
export function bare(status: number, headers: ResponseHeaders): Response {
  const h = new ResponseHeaders();
  for (const name of ['etag', 'last-modified', 'cache-control', 'vary', 'accept-ranges', 'content-range']) {
    const v = headers.get(name);
    if (v !== null) h.set(name, v);
  }
  return new Response(null, { status, headers: h });
}

/** 304: the headers a 200 would carry that RFC 9110 §15.4.5 keeps. */
export function notModified(headers: ResponseHeaders): Response {
  const h = new ResponseHeaders();
  for (const name of ['etag', 'last-modified', 'cache-control', 'vary', 'content-location', 'expires']) {
    const v = headers.get(name);
    if (v !== null) h.set(name, v);
  }
  return new Response(null, { status: 304, headers: h });
}

