import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ResponseHeaders } from '../response/headers.js';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';
import { negotiateEncoding } from '../compress/accept-encoding.js';
import { FdBudget } from './fd-budget.js';
import { FileCache, type FileCacheOptions } from './file-cache.js';
import { contentTypeOf } from './mime.js';
import { pathSegments, resolveUnder, type DotfilesPolicy } from './safe-path.js';
import { sendFile, type FileSendOptions, type FileTarget } from './send-file.js';

/** A precompressed sibling's content coding and file suffix. */
export type PrecompressedEncoding = 'br' | 'gzip';
const SUFFIX: Record<PrecompressedEncoding, string> = { br: '.br', gzip: '.gz' };

/** Options of `serveStatic`. */
export interface ServeStaticOptions extends FileSendOptions {
  /** File(s) served for a directory path ending in `/` (default 'index.html'; false: none). */
  index?: string | readonly string[] | false;
  /** Redirect a directory path without its trailing slash to the path with it (301, default true). */
  redirect?: boolean;
  /** Path segments starting with a dot: 'ignore' (404, the default), 'deny' (403) or 'allow'. */
  dotfiles?: DotfilesPolicy;
  /** Serve symlinks that point outside the root (default false: they are 404). */
  followSymlinks?: boolean;
  /**
   * Serve a precompressed sibling (`app.js.br`, `app.js.gz`) when `Accept-Encoding` allows it, with
   * `Content-Encoding` and `Vary: Accept-Encoding`: true for ['br', 'gzip'] (server preference
   * order), or the codings to look for (default false).
   */
  precompressed?: boolean | readonly PrecompressedEncoding[];
  /**
   * Files being streamed at once (default 256): the open descriptors this server holds for
   * downloads; above it a request gets `503` with `Retry-After: 1` (files up to 64 KiB are read
   * at once and hold no descriptor).
   */
  maxOpenFiles?: number;
  /** The name of the route's catch-all param holding the file path (default '*'). */
  param?: string;
  /**
   * Keep small files (64 KiB, 8 MiB in all by default) in memory, least recently used out: a hit
   * costs one `stat`, shared by the requests of one batch (a changed, replaced or removed file is
   * read again). False: no cache. Not used with `precompressed` (the choice depends on each
   * request's `Accept-Encoding`).
   */
  cache?: boolean | FileCacheOptions;
}

/** A handler serving files under a root. */
export type StaticHandler = (req: Request<object>) => Response;

/**
 * A handler that serves the files under `root`, for a catch-all route:
 *
 * ```ts
 * app.get('/assets/*', serveStatic('dist/assets', { maxAge: 31536000, immutable: true }));
 * app.get('/*', serveStatic('dist'));       // a front-end at the root (API routes win over it)
 * ```
 *
 * The file is the route's catch-all param (`*`, decoded once by the router), resolved under the real
 * path of `root`: `.`/`..` segments, backslashes, NUL and control characters are 404; a symlink out
 * of the root is 404 unless `followSymlinks`; a dot segment follows `dotfiles`; only regular files are
 * opened (with `O_NOFOLLOW|O_NONBLOCK`, checked again with `fstat`). GET and HEAD are answered with
 * `ETag`/`Last-Modified`, 304/412 preconditions, ranges (206, `multipart/byteranges`, 416),
 * `Cache-Control`, a MIME type from `mime-types` (`charset=utf-8` for text) and precompressed
 * siblings; a directory redirects to its trailing slash and serves its `index.html`. Other methods
 * get 405. Path resolution and `open` are synchronous (like nginx's); the bytes of a file larger than
 * 64 KiB are streamed (sent natively by the native transport).
 * @param root the directory to serve (it must exist: a TypeError otherwise)
 */
export function serveStatic(root: string, options: ServeStaticOptions = {}): StaticHandler {
  let realRoot: string;
  try {
    realRoot = realpathSync.native(root);
  } catch (cause) {
    throw new TypeError(`serveStatic: the root ${JSON.stringify(root)} does not exist`, { cause });
  }
  if (!statSync(realRoot).isDirectory()) throw new TypeError(`serveStatic: the root ${JSON.stringify(root)} is not a directory`);
  const index = options.index === false ? [] : typeof options.index === 'string' ? [options.index] : [...(options.index ?? ['index.html'])];
  for (const name of index) {
    if (pathSegments(name)?.length !== 1) throw new TypeError(`serveStatic: invalid index file name ${JSON.stringify(name)}`);
  }
  const dotfiles = options.dotfiles ?? 'ignore';
  if (dotfiles !== 'allow' && dotfiles !== 'deny' && dotfiles !== 'ignore') throw new TypeError(`serveStatic: invalid dotfiles ${String(dotfiles)}`);
  const follow = options.followSymlinks === true;
  const redirect = options.redirect !== false;
  const pre = options.precompressed === true ? (['br', 'gzip'] as const) : options.precompressed === false || options.precompressed === undefined ? [] : [...options.precompressed];
  for (const e of pre) if (SUFFIX[e] === undefined) throw new TypeError(`serveStatic: unknown precompressed encoding ${String(e)}`);
  const budget = new FdBudget(options.maxOpenFiles ?? 256);
  const param = options.param ?? '*';
  const cache = options.cache === false || pre.length !== 0 ? null : new FileCache(options.cache === true ? {} : options.cache);
  const notFound = (): Response => new Response('Not Found', { status: 404 });

  return (req) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') {
      return new Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const value = (req.params as Record<string, unknown>)[param];
    const key = typeof value === 'string' ? value : '';
    if (cache !== null && (key === '' || key.endsWith('/') ? req.path.endsWith('/') : true)) {
      const hit = cache.respond(req, key);
      if (hit !== null) return hit;
    }
    const segments = pathSegments(key);
    if (segments === null) return notFound();
    let found = resolveUnder(realRoot, segments, dotfiles, follow);
    let name = segments.length === 0 ? '' : segments[segments.length - 1]!;
    let full = join(realRoot, ...segments);
    if (found.kind === 'directory') {
      if (!req.path.endsWith('/')) {
        if (!redirect) return notFound();
        // never `//host`: a protocol-relative Location would leave the site
        const location = `${req.path.replace(/^\/+/, '/')}/${req.queryString === '' ? '' : `?${req.queryString}`}`;
        return new Response(null, { status: 301, headers: { location } });
      }
      found = { kind: 'missing' };
      for (const file of index) {
        const r = resolveUnder(realRoot, [...segments, file], dotfiles, follow);
        if (r.kind === 'file') {
          found = r;
          name = file;
          full = join(full, file);
          break;
        }
      }
    }
    if (found.kind === 'forbidden') return new Response('Forbidden', { status: 403 });
    if (found.kind !== 'file') return notFound();
    const target: FileTarget = { path: found.path, type: contentTypeOf(name), encoding: null, vary: false, disposition: null };
    if (pre.length !== 0) {
      const have: string[] = [];
      for (const e of pre) {
        const st = lstatSync(found.path + SUFFIX[e], { throwIfNoEntry: false });
        if (st?.isFile() === true) have.push(e);
      }
      if (have.length !== 0) {
        target.vary = true;
        const coding = negotiateEncoding(req.header('accept-encoding'), have) as PrecompressedEncoding | null;
        if (coding !== null) {
          target.path = found.path + SUFFIX[coding];
          target.encoding = coding;
        }
      }
    }
    const store = cache === null ? undefined : (st: Stats, bytes: Uint8Array, headers: ResponseHeaders) => cache.store(key, full, st, bytes, headers);
    return sendFile(req, target, options, 200, budget, store) ?? notFound();
  };
}

