import { realpathSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';
import { contentDisposition } from './content-disposition.js';
import { FileStream } from './file-stream.js';
import { contentTypeOf } from './mime.js';
import { openRegular, sendFile, type FileSendOptions } from './send-file.js';

/** Options of `file()`. */
export interface FileInit extends FileSendOptions {
  /** Status of a whole-file answer (default 200; another status disables preconditions and ranges). */
  status?: number;
  /**
   * Send as a download (`Content-Disposition: attachment`, RFC 6266 file name encoding): true for
   * the file's own name, or the name to save it as.
   */
  download?: string | boolean;
  /** Media type instead of the one from the file name (e.g. 'text/csv; charset=utf-8'). */
  type?: string;
  /** Directory a relative `path` is resolved against (default: the process's working directory). */
  root?: string;
}

/**
 * The body of a `file()` response before it meets its request: the dispatcher turns it into the
 * real answer (`negotiate`) when it sends the response, so the request's preconditions and `Range`
 * apply. Iterated directly (outside jato's dispatcher) it yields the whole file.
 * @internal
 */
export class FileBody implements AsyncIterable<Uint8Array> {
  constructor(
    readonly path: string,
    readonly init: FileInit,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const opened = openRegular(this.path);
    if (opened === null) throw new Error(`file(): ${this.path} is not a readable regular file`);
    return new FileStream(opened.fd, [{ start: 0, end: opened.stat.size - 1 }], null);
  }

  /** The response to send for `req` in place of `res` (whose headers added on the way are kept). */
  negotiate(req: Request<object>, res: Response): Response {
    const init = this.init;
    let real: string;
    try {
      real = realpathSync.native(this.path);
      // never open a directory, FIFO, socket or device (a FIFO could block, a device has effects)
      if (!statSync(real).isFile()) real = '';
    } catch {
      real = '';
    }
    const name = basename(this.path);
    const download = init.download === true ? name : typeof init.download === 'string' ? init.download : null;
    const out = real === '' ? null : sendFile(req, {
      path: real,
      type: init.type ?? contentTypeOf(name),
      encoding: null,
      vary: false,
      disposition: download === null ? null : contentDisposition(download),
    }, init, res.status);
    if (out === null) return new Response('Not Found', { status: 404 });
    const from = res.headers;
    for (let i = 0; i < from.size; i++) {
      const key = from.keyAt(i);
      if (key === 'content-length' || (key !== 'set-cookie' && out.headers.has(key))) continue;
      out.headers.append(from.nameAt(i), from.valueAt(i));
    }
    return out;
  }
}

/**
 * A response that sends the file at `path` (for a handler that picks the file itself):
 *
 * ```ts
 * app.get('/report', () => file('reports/latest.pdf', { download: 'report.pdf' }));
 * ```
 *
 * When it is sent, the request's preconditions and `Range` are honoured as for `serveStatic`
 * (`ETag`, `Last-Modified`, 304/412, 206/416, HEAD); a missing file is a 404. The path is used as
 * given (resolved against `init.root` or the working directory): never build it from request input
 * — use `serveStatic` for that, which confines paths to its root.
 */
export function file(path: string, init: FileInit = {}): Response {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw new TypeError(`file(): invalid path ${JSON.stringify(path)}`);
  const full = resolve(init.root ?? process.cwd(), path);
  if (init.type !== undefined) {
    // checked like a Response's media type (a TypeError now, not a bad header later)
    void new Response(null, { type: init.type });
  }
  return new Response(new FileBody(full, init), { status: init.status ?? 200 });
}
