/** One HTTP/1.x response as read back from raw bytes (for tests and `@jato/testing`). */
export interface RawResponse {
  /** 'HTTP/1.1' or 'HTTP/1.0'. */
  version: string;
  status: number;
  reason: string;
  /** Header lines in order, names as sent. */
  headerList: Array<[name: string, value: string]>;
  /** Headers by lowercased name; repeated fields joined with ', ' (use `headerList` for Set-Cookie). */
  headers: Record<string, string>;
  /** The body with any chunked framing removed. */
  body: Uint8Array;
}

/** Options of `parseResponses`. */
export interface ParseResponsesOptions {
  /**
   * Methods of the requests answered, in order, so HEAD responses are read without a body
   * (interim 1xx responses take no slot).
   */
  methods?: readonly string[];
}

const LF = 0x0a;

function indexOfHeadEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) return i;
  }
  return -1;
}

function lineEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length; i++) if (bytes[i] === LF) return i;
  return -1;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/**
 * Splits raw response bytes (as `inject` returns or a socket receives) into responses, framing
 * bodies by Content-Length, chunked encoding, or the end of the bytes. Throws a descriptive Error
 * on bytes that are not a complete sequence of well-formed responses.
 */
export function parseResponses(bytes: Uint8Array, options: ParseResponsesOptions = {}): RawResponse[] {
  const out: RawResponse[] = [];
  let pos = 0;
  let finalIndex = 0;
  while (pos < bytes.length) {
    const headEnd = indexOfHeadEnd(bytes, pos);
    if (headEnd < 0) throw new Error(`parseResponses: incomplete response head at byte ${pos}`);
    const lines = latin1(bytes, pos, headEnd).split('\r\n');
    const statusLine = /^(HTTP\/1\.[01]) (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
    if (statusLine === null) throw new Error(`parseResponses: bad status line ${JSON.stringify(lines[0])}`);
    const headerList: Array<[string, string]> = [];
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`parseResponses: bad header line ${JSON.stringify(line)}`);
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      headerList.push([name, value]);
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    }
    const status = Number(statusLine[2]);
    pos = headEnd + 4;
    let body: Uint8Array;
    const interim = status >= 100 && status < 200;
    const isHead = !interim && options.methods?.[finalIndex]?.toUpperCase() === 'HEAD';
    if (interim || isHead || status === 204 || status === 304) {
      body = new Uint8Array(0);
    } else if ((headers['transfer-encoding'] ?? '').toLowerCase().endsWith('chunked')) {
      const parts: Uint8Array[] = [];
      for (;;) {
        const end = lineEnd(bytes, pos);
        if (end < 0) throw new Error('parseResponses: incomplete chunk size line');
        const size = parseInt(latin1(bytes, pos, end).split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size)) throw new Error('parseResponses: bad chunk size');
        pos = end + 1;
        if (size === 0) {
          // Trailers until an empty line.
          for (;;) {
            const tEnd = lineEnd(bytes, pos);
            if (tEnd < 0) throw new Error('parseResponses: incomplete trailer section');
            const empty = tEnd - pos <= 1;
            pos = tEnd + 1;
            if (empty) break;
          }
          break;
        }
        if (pos + size + 2 > bytes.length) throw new Error('parseResponses: incomplete chunk data');
        parts.push(bytes.subarray(pos, pos + size));
        pos += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (!Number.isInteger(length) || length < 0) throw new Error('parseResponses: bad Content-Length');
      if (pos + length > bytes.length) {
        throw new Error(`parseResponses: body shorter than Content-Length ${length}`);
      }
      body = bytes.slice(pos, pos + length);
      pos += length;
    } else {
      body = bytes.slice(pos);
      pos = bytes.length;
    }
    if (!interim) finalIndex += 1;
    out.push({ version: statusLine[1]!, status, reason: statusLine[3] ?? '', headerList, headers, body });
  }
  return out;
}
