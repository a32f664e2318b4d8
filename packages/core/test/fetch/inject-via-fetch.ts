// `inject` of @jato/testing re-implemented over `app.fetch`: the inject-based suites run through it
// unchanged (see app-fetch-shared.test.ts), so app.fetch is held to every case they cover.
import type { App } from '../../src/index.js';
import type { InjectRequest, TestResponse } from '../support/testing.js';

function headerPairs(h: InjectRequest['headers']): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (h === undefined) return pairs;
  if (Array.isArray(h)) for (const [n, v] of h as ReadonlyArray<readonly [string, string]>) pairs.push([n, v]);
  else {
    for (const [n, v] of Object.entries(h as Record<string, string | number | readonly string[]>)) {
      if (Array.isArray(v)) for (const x of v as readonly string[]) pairs.push([n, x]);
      else pairs.push([n, String(v)]);
    }
  }
  return pairs;
}

/** The Web Request `inject(app, req)` stands for. */
export function toRequest(req: InjectRequest | string): Request {
  const r = typeof req === 'string' ? { url: req } : req;
  const pairs = headerPairs(r.headers);
  const headers = new Headers();
  let host = 'localhost';
  for (const [n, v] of pairs) {
    if (n.toLowerCase() === 'host') host = v;
    else headers.append(n, v);
  }
  let body: Uint8Array | string | undefined;
  if (r.body !== undefined) {
    if (typeof r.body === 'string' || r.body instanceof Uint8Array) body = r.body;
    else {
      body = JSON.stringify(r.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
  }
  const url = r.url ?? '/';
  return new Request(url.startsWith('/') ? `http://${host}${url}` : url, {
    method: r.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}),
  });
}

/** A TestResponse from a Web Response (body read whole). */
export async function toTestResponse(res: Response): Promise<TestResponse> {
  const body = new Uint8Array(await res.arrayBuffer());
  const rawHeaders: Array<[string, string]> = [];
  res.headers.forEach((v, n) => {
    if (n !== 'set-cookie') rawHeaders.push([n, v]);
  });
  for (const c of res.headers.getSetCookie()) rawHeaders.push(['set-cookie', c]);
  const headers: Record<string, string> = {};
  for (const [n, v] of rawHeaders) headers[n] = headers[n] === undefined ? v : `${headers[n]}, ${v}`;
  return {
    status: res.status,
    statusText: res.statusText,
    version: 'HTTP/1.1',
    headers,
    rawHeaders,
    body,
    headerValues: (name) => rawHeaders.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v),
    text: () => Buffer.from(body).toString('utf8'),
    json: <T>() => JSON.parse(Buffer.from(body).toString('utf8')) as T,
  };
}

/** `inject` over `app.fetch`. */
export async function injectViaFetch(app: App<object>, req: InjectRequest | string = {}): Promise<TestResponse> {
  return toTestResponse(await app.fetch(toRequest(req)));
}
