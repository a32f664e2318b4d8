/** One HTTP response parsed from raw bytes. */
export interface TestResponse {
  /** The status code. */
  readonly status: number;
  /** The reason phrase. */
  readonly statusText: string;
  /** 'HTTP/1.1' or 'HTTP/1.0'. */
  readonly version: string;
  /** Headers by lowercased name; repeated lines joined with `, ` (use `headerValues` for each line). */
  readonly headers: Readonly<Record<string, string>>;
  /** Header lines as received: `[name, value]` in order. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  /** The body bytes (chunked framing removed). */
  readonly body: Uint8Array;
  /** Every value of header `name` (case-insensitive), one per line. */
  headerValues(name: string): string[];
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json<T = unknown>(): T;
}

/** Options of `parseResponses`. */
export interface ParseResponsesOptions {
  /**
   * For each response in order, whether it answers a HEAD request (then it has no body whatever its
   * Content-Length says). Default: none is.
   */
  head?: readonly boolean[];
  /** True when the connection has closed, so a response without length ends at the end of `bytes`. */
  ended?: boolean;
}

/** Outcome of `parseResponses`: the complete responses and how many bytes they took. */
export interface ParsedResponses {
  responses: TestResponse[];
  /** Bytes consumed by complete responses (the rest is an incomplete response). */
  consumed: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Parse every complete HTTP/1.x response at the start of `bytes` (a test helper; strict enough). */
export function parseResponses(bytes: Uint8Array, options: ParseResponsesOptions = {}): ParsedResponses {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const responses: TestResponse[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const headEnd = buf.indexOf(HEAD_END, pos);
    if (headEnd < 0) break;
    const lines = buf.toString('latin1', pos, headEnd).split('\r\n');
    const m = /^(HTTP\/1\.[01]) (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
    if (m === null) throw new Error(`Malformed status line: ${JSON.stringify(lines[0])}`);
    const status = Number(m[2]);
    const rawHeaders: Array<[string, string]> = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`Malformed header line: ${JSON.stringify(line)}`);
      rawHeaders.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    const headers: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [n, v] of rawHeaders) {
      const k = n.toLowerCase();
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
    const isHead = options.head?.[responses.length] === true;
    let bodyStart = headEnd + 4;
    let body: Buffer;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (isHead || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
    } else if (te !== undefined && /chunked\s*$/i.test(te)) {
      const chunks: Buffer[] = [];
      let p = bodyStart;
      let complete = false;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', p);
        if (lineEnd < 0) break;
        const size = parseInt(buf.toString('latin1', p, lineEnd).split(';')[0]!, 16);
        if (Number.isNaN(size)) throw new Error('Malformed chunk size');
        if (size === 0) {
          const trailerEnd = buf.indexOf('\r\n\r\n', lineEnd);
          if (trailerEnd < 0 && buf.indexOf('\r\n', lineEnd + 2) !== lineEnd + 2) break;
          p = trailerEnd < 0 ? lineEnd + 4 : trailerEnd + 4;
          complete = true;
          break;
        }
        if (lineEnd + 2 + size + 2 > buf.length) break;
        chunks.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        p = lineEnd + 2 + size + 2;
      }
      if (!complete) break;
      body = Buffer.concat(chunks);
      bodyStart = p;
      pos = p;
      responses.push(makeResponse(m[1]!, status, m[3] ?? '', headers, rawHeaders, body));
      continue;
    } else if (cl !== undefined) {
      const len = Number(cl);
      if (!Number.isInteger(len) || len < 0) throw new Error(`Malformed Content-Length: ${cl}`);
      if (bodyStart + len > buf.length) break;
      body = Buffer.from(buf.subarray(bodyStart, bodyStart + len));
      bodyStart += len;
    } else {
      if (options.ended !== true) break;
      body = Buffer.from(buf.subarray(bodyStart));
      bodyStart = buf.length;
    }
    responses.push(makeResponse(m[1]!, status, m[3] ?? '', headers, rawHeaders, body));
    pos = bodyStart;
  }
  return { responses, consumed: pos };
}

function makeResponse(
  version: string, status: number, statusText: string, headers: Record<string, string>,
  rawHeaders: Array<[string, string]>, body: Buffer,
): TestResponse {
  return {
    status,
    statusText,
    version,
    headers,
    rawHeaders,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    headerValues: (name) => rawHeaders.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}
