/** A request for `inject`. */
export interface InjectRequest {
  /** Method token ('GET'). */
  method?: string;
  /** Request target, path and query ('/'). */
  url?: string;
  /**
   * Headers: a record (an array value sends the header once per element) or pairs. `Host` is added
   * ('localhost') unless given; `Content-Length` is added for a body unless given.
   */
  headers?: Record<string, string | number | readonly string[]> | ReadonlyArray<readonly [string, string]>;
  /** Body: text (UTF-8), bytes, or any other value sent as JSON (with `content-type: application/json`). */
  body?: string | Uint8Array | object;
  /** Send HTTP/1.0 instead of HTTP/1.1. */
  http10?: boolean;
}

/** Render `req` as raw HTTP/1.x request bytes. */
export function requestBytes(req: InjectRequest): Buffer {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const pairs: Array<[string, string]> = [];
  const h = req.headers ?? {};
  if (Array.isArray(h)) {
    for (const [n, v] of h as ReadonlyArray<readonly [string, string]>) pairs.push([n, v]);
  } else {
    for (const [n, v] of Object.entries(h as Record<string, string | number | readonly string[]>)) {
      if (Array.isArray(v)) for (const x of v as readonly string[]) pairs.push([n, x]);
      else pairs.push([n, String(v)]);
    }
  }
  const has = (name: string): boolean => pairs.some(([n]) => n.toLowerCase() === name);
  let body: Buffer | null = null;
  if (req.body !== undefined) {
    if (typeof req.body === 'string') body = Buffer.from(req.body, 'utf8');
    else if (req.body instanceof Uint8Array) body = Buffer.from(req.body);
    else {
      body = Buffer.from(JSON.stringify(req.body), 'utf8');
      if (!has('content-type')) pairs.push(['content-type', 'application/json']);
    }
  }
  if (!has('host')) pairs.unshift(['host', 'localhost']);
  if (body !== null && !has('content-length') && !has('transfer-encoding')) {
    pairs.push(['content-length', String(body.length)]);
  }
  let head = `${method} ${url} HTTP/1.${req.http10 === true ? 0 : 1}\r\n`;
  for (const [n, v] of pairs) head += `${n}: ${v}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return body === null ? headBytes : Buffer.concat([headBytes, body]);
}
