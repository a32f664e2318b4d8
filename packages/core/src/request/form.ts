import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/http-error.js';
import { parseParams } from './media-type.js';

/** A file part of a multipart/form-data body. */
export interface UploadedFile {
  /** The form field name. */
  readonly name: string;
  /** The file name the client sent (`filename`, or `filename*` decoded). */
  readonly filename: string;
  /** The part's media type ('application/octet-stream' when none was sent). */
  readonly type: string;
  /** The file content (a copy, safe to keep). */
  readonly bytes: Uint8Array;
  /** Byte length of `bytes`. */
  readonly size: number;
  /** The content decoded as UTF-8. */
  text(): string;
}

/** Limits applied by `req.form()` (defaults in parentheses); exceeding one answers 413. */
export interface FormLimits {
  /** Fields plus files (1000). */
  maxParts?: number;
  /** Bytes of one non-file field (1 MiB). */
  maxFieldBytes?: number;
  /** Bytes of one file (the body limit). */
  maxFileBytes?: number;
  /** Number of files (100). */
  maxFiles?: number;
  /** Bytes of one part's header block (8 KiB). */
  maxPartHeaderBytes?: number;
}

/** A form entry value: a text field or a file. */
export type FormValue = string | UploadedFile;

/**
 * A decoded form body (urlencoded or multipart). Repeated names are kept in order.
 * ```ts
 * const form = await req.form(); form.get('title'); form.file('avatar')?.bytes
 * ```
 */
export class Form {
  private readonly list: Array<[string, FormValue]> = [];

  /** @internal */
  add(name: string, value: FormValue): void {
    this.list.push([name, value]);
  }

  /** The first value of `name` (text or file), or undefined. */
  get(name: string): FormValue | undefined {
    for (const [n, v] of this.list) if (n === name) return v;
    return undefined;
  }

  /** Every value of `name`, in order. */
  getAll(name: string): FormValue[] {
    const out: FormValue[] = [];
    for (const [n, v] of this.list) if (n === name) out.push(v);
    return out;
  }

  /** The first text value of `name` (files skipped), or undefined. */
  field(name: string): string | undefined {
    for (const [n, v] of this.list) if (n === name && typeof v === 'string') return v;
    return undefined;
  }

  /** The first file of `name`, or undefined. */
  file(name: string): UploadedFile | undefined {
    for (const [n, v] of this.list) if (n === name && typeof v !== 'string') return v;
    return undefined;
  }

  /** Every file, in order. */
  get files(): UploadedFile[] {
    const out: UploadedFile[] = [];
    for (const [, v] of this.list) if (typeof v !== 'string') out.push(v);
    return out;
  }

  /** Whether an entry named `name` exists. */
  has(name: string): boolean {
    return this.list.some(([n]) => n === name);
  }

  /** Number of entries. */
  get size(): number {
    return this.list.length;
  }

  /** Every `[name, value]` entry, in body order. */
  entries(): IterableIterator<[string, FormValue]> {
    return this.list[Symbol.iterator]();
  }

  /** Same as `entries()`. */
  [Symbol.iterator](): IterableIterator<[string, FormValue]> {
    return this.entries();
  }

  /** Text fields as a record (a repeated name gives an array); files are left out. */
  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    for (const [n, v] of this.list) {
      if (typeof v !== 'string') continue;
      const prev = out[n];
      out[n] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }
}

/** The form limits' defaults (whole and streamed multipart bodies alike). */
export const FORM_LIMIT_DEFAULTS = {
  maxParts: 1000,
  maxFieldBytes: 1024 * 1024,
  maxFileBytes: Number.MAX_SAFE_INTEGER,
  maxFiles: 100,
  maxPartHeaderBytes: 8 * 1024,
};

/** Decode a form body by its content type. Throws 415 / 400 / 413 `HttpError`s. */
export function parseForm(contentType: string | undefined, body: Uint8Array, limits: FormLimits = {}): Form {
  const { value, params } = parseParams(contentType ?? '');
  const lim = { ...FORM_LIMIT_DEFAULTS, ...limits };
  if (value === 'application/x-www-form-urlencoded') return parseUrlencoded(body, lim);
  if (value === 'multipart/form-data') {
    const boundary = params['boundary'];
    if (boundary === undefined || boundary.length < 1 || boundary.length > 70) {
      throw new BadRequestError('multipart/form-data needs a boundary parameter of 1-70 characters');
    }
    return parseMultipart(body, boundary, lim);
  }
  throw new UnsupportedMediaTypeError(
    'Expected a form body (application/x-www-form-urlencoded or multipart/form-data)',
  );
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function parseUrlencoded(body: Uint8Array, lim: Required<FormLimits>): Form {
  const form = new Form();
  let parts = 0;
  for (const [name, v] of new URLSearchParams(toBuffer(body).toString('utf8'))) {
    if (++parts > lim.maxParts) throw new PayloadTooLargeError(`Form has more than ${lim.maxParts} fields`);
    if (v.length > lim.maxFieldBytes) throw new PayloadTooLargeError(`Form field ${name} is larger than ${lim.maxFieldBytes} bytes`);
    form.add(name, v);
  }
  return form;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

function parseMultipart(body: Uint8Array, boundary: string, lim: Required<FormLimits>): Form {
  const buf = toBuffer(body);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const next = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const form = new Form();
  // the first delimiter: at offset 0 or after a preamble ending in CRLF
  let pos = buf.indexOf(delimiter);
  if (pos > 0 && buf.indexOf(next) !== pos - 2) pos = -1;
  if (pos < 0) throw new BadRequestError('multipart body has no opening boundary');
  pos += delimiter.length;
  let parts = 0;
  let files = 0;
  for (;;) {
    // after a delimiter: `--` closes the body; otherwise optional whitespace then CRLF
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) return form;
    while (buf[pos] === 0x20 || buf[pos] === 0x09) pos++;
    if (buf.indexOf(CRLF, pos) !== pos) throw new BadRequestError('multipart boundary is not followed by CRLF');
    pos += 2;
    const headEnd = buf.indexOf(HEAD_END, pos - 2);
    if (headEnd < 0) throw new BadRequestError('multipart part has no end of headers');
    if (headEnd - pos > lim.maxPartHeaderBytes) throw new PayloadTooLargeError('multipart part headers are too large');
    const head = headEnd < pos ? '' : buf.toString('utf8', pos, headEnd);
    const contentStart = headEnd + 4;
    const contentEnd = buf.indexOf(next, contentStart);
    if (contentEnd < 0) throw new BadRequestError('multipart body is truncated (no closing boundary)');
    if (++parts > lim.maxParts) throw new PayloadTooLargeError(`Form has more than ${lim.maxParts} parts`);
    addPart(form, head, buf, contentStart, contentEnd, lim, () => ++files);
    pos = contentEnd + next.length;
  }
}

function addPart(
  form: Form, head: string, buf: Buffer, start: number, end: number,
  lim: Required<FormLimits>, countFile: () => number,
): void {
  const { name, filename, headers } = readPartHead(head);
  const type = headers['content-type'];
  const size = end - start;
  if (filename === undefined) {
    if (size > lim.maxFieldBytes) throw new PayloadTooLargeError(`Form field ${name} is larger than ${lim.maxFieldBytes} bytes`);
    form.add(name, buf.toString('utf8', start, end));
    return;
  }
  if (countFile() > lim.maxFiles) throw new PayloadTooLargeError(`Form has more than ${lim.maxFiles} files`);
  if (size > lim.maxFileBytes) throw new PayloadTooLargeError(`File ${filename} is larger than ${lim.maxFileBytes} bytes`);
  const bytes = new Uint8Array(size);
  bytes.set(buf.subarray(start, end));
  form.add(name, {
    name,
    filename,
    type: type ?? 'application/octet-stream',
    bytes,
    size,
    text: () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
  });
}

/**
 * The header lines of one multipart part (names lowercased; a repeated name keeps the last value)
 * and its Content-Disposition `name` and `filename` (`filename*` in RFC 5987 UTF-8 form wins).
 * Throws BadRequestError (400) without a `form-data` disposition that has a name.
 */
export function readPartHead(head: string): { name: string; filename: string | undefined; headers: Record<string, string> } {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const disposition = headers['content-disposition'];
  if (disposition === undefined) throw new BadRequestError('multipart part has no Content-Disposition');
  const { value, params } = parseParams(disposition);
  const name = params['name'];
  if (value !== 'form-data' || name === undefined) {
    throw new BadRequestError('multipart part needs Content-Disposition: form-data with a name');
  }
  let filename = params['filename'];
  const star = params['filename*'];
  if (star !== undefined) {
    const m = /^utf-8''(.*)$/i.exec(star);
    if (m !== null) {
      try {
        filename = decodeURIComponent(m[1]!);
      } catch {
        /* keep the plain filename */
      }
    }
  }
  return { name, filename, headers };
}
