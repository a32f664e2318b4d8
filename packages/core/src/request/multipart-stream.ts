import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/http-error.js';
import { FORM_LIMIT_DEFAULTS, readPartHead, type FormLimits } from './form.js';
import { parseParams } from './media-type.js';

/** One part of a streamed `multipart/form-data` body (`req.multipart()`). */
export interface MultipartPart {
  /** The form field name. */
  readonly name: string;
  /** The file name (`filename`, or `filename*` decoded), undefined for a plain field. */
  readonly filename: string | undefined;
  /** The part's media type ('application/octet-stream' for a file without one, 'text/plain' for a field). */
  readonly type: string;
  /** The part's header lines by lowercased name. */
  readonly headers: Readonly<Record<string, string>>;
  /** The content as it arrives (read it, or leave it: the next part skips what is unread). */
  stream(): AsyncGenerator<Uint8Array, void, undefined>;
  /** The whole content (bounded by the part's limit). */
  bytes(): Promise<Uint8Array>;
  /** The whole content decoded as UTF-8. */
  text(): Promise<string>;
}

const CRLF2 = Buffer.from('\r\n\r\n');
/** Bytes of preamble (before the first boundary) tolerated. */
const MAX_PREAMBLE = 64 * 1024;

/** Input of the parser: the body chunks with a little look-ahead buffer. */
class Input {
  buf: Buffer = Buffer.from('\r\n'); // lets the first delimiter match like the others
  eof = false;

  constructor(private readonly src: AsyncIterator<Uint8Array>) {}

  /** Reads one more chunk; false at the end of the body. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    const r = await this.src.next();
    if (r.done === true) {
      this.eof = true;
      return false;
    }
    const chunk = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }
}

/**
 * Streams the parts of a multipart/form-data body (see `Request.multipart`). Each part's content is
 * handed out as it arrives: only the delimiter look-ahead and one part's header block are buffered.
 * @internal
 */
export async function* multipartOf(
  contentType: string | undefined, body: AsyncIterable<Uint8Array>, limits: FormLimits,
): AsyncGenerator<MultipartPart, void, undefined> {
  const { value, params } = parseParams(contentType ?? '');
  if (value !== 'multipart/form-data') throw new UnsupportedMediaTypeError('Expected a multipart/form-data body');
  const boundary = params['boundary'];
  if (boundary === undefined || boundary.length < 1 || boundary.length > 70) {
    throw new BadRequestError('multipart/form-data needs a boundary parameter of 1-70 characters');
  }
  const lim = { ...FORM_LIMIT_DEFAULTS, ...limits };
  const delim = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const input = new Input(body[Symbol.asyncIterator]());
  // the first delimiter, after an optional preamble
  for (;;) {
    const at = input.buf.indexOf(delim);
    if (at >= 0) {
      input.buf = input.buf.subarray(at + delim.length);
      break;
    }
    if (input.buf.length > MAX_PREAMBLE) throw new BadRequestError('multipart body has no opening boundary');
    if (!(await input.more())) throw new BadRequestError('multipart body has no opening boundary');
  }
  let parts = 0;
  let files = 0;
  for (;;) {
    // after a delimiter: `--` ends the body; else optional whitespace, CRLF, header lines, CRLF
    for (;;) {
      const b = input.buf;
      if (b.length >= 2 && b[0] === 0x2d && b[1] === 0x2d) return;
      if (b.indexOf(CRLF2) >= 0) break;
      if (b.length > lim.maxPartHeaderBytes + 4) throw new PayloadTooLargeError('multipart part headers are too large');
      if (!(await input.more())) throw new BadRequestError('multipart body is truncated (no closing boundary)');
    }
    const b = input.buf;
    let p = 0;
    while (b[p] === 0x20 || b[p] === 0x09) p++;
    if (b[p] !== 0x0d || b[p + 1] !== 0x0a) throw new BadRequestError('multipart boundary is not followed by CRLF');
    p += 2;
    const blank = b.indexOf(CRLF2, p - 2); // p - 2: no header lines at all
    if (blank - p > lim.maxPartHeaderBytes) throw new PayloadTooLargeError('multipart part headers are too large');
    const head = blank <= p ? '' : b.toString('utf8', p, blank);
    input.buf = b.subarray(blank + 4);
    if (++parts > lim.maxParts) throw new PayloadTooLargeError(`Form has more than ${lim.maxParts} parts`);
    const meta = partMeta(head);
    if (meta.filename !== undefined && ++files > lim.maxFiles) throw new PayloadTooLargeError(`Form has more than ${lim.maxFiles} files`);
    const max = meta.filename === undefined ? lim.maxFieldBytes : lim.maxFileBytes;
    let done = false;
    let taken = false;
    /** The content up to the next delimiter, chunk by chunk. */
    async function* content(): AsyncGenerator<Uint8Array, void, undefined> {
      let size = 0;
      while (!done) {
        const buf = input.buf;
        const at = buf.indexOf(delim);
        let n: number;
        if (at >= 0) n = at;
        else n = Math.max(0, buf.length - (delim.length - 1)); // keep what could start a delimiter
        if (n > 0) {
          size += n;
          if (size > max) {
            throw new PayloadTooLargeError(meta.filename === undefined
              ? `Form field ${meta.name} is larger than ${max} bytes`
              : `File ${meta.filename} is larger than ${max} bytes`);
          }
          const out = Uint8Array.prototype.slice.call(buf, 0, n);
          input.buf = buf.subarray(n);
          if (at >= 0) {
            input.buf = input.buf.subarray(delim.length);
            done = true;
          }
          yield out;
          continue;
        }
        if (at >= 0) {
          input.buf = buf.subarray(delim.length);
          done = true;
          return;
        }
        if (!(await input.more())) throw new BadRequestError('multipart body is truncated (no closing boundary)');
      }
    }
    const gen = content();
    const take = (): AsyncGenerator<Uint8Array, void, undefined> => {
      if (taken) throw new Error('The content of a multipart part can be read once');
      taken = true;
      return gen;
    };
    const bytes = async (): Promise<Uint8Array> => {
      const list: Uint8Array[] = [];
      for await (const c of take()) list.push(c);
      return Buffer.concat(list);
    };
    yield {
      ...meta,
      stream: take,
      bytes,
      text: async () => Buffer.from(await bytes()).toString('utf8'),
    };
    // skip what the consumer left unread
    if (!done) {
      taken = true;
      for await (const _ of gen) void _;
    }
  }
}

function partMeta(head: string): Omit<MultipartPart, 'stream' | 'bytes' | 'text'> {
  const { name, filename, headers } = readPartHead(head);
  const type = headers['content-type'] ?? (filename === undefined ? 'text/plain' : 'application/octet-stream');
  return { name, filename, type, headers };
}
