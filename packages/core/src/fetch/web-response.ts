import { Response } from '../response/response.js';
import { ResponseHeaders } from '../response/headers.js';
import { LightResponse, type WebHeadersInit } from './light-response.js';
import { bodySource } from './response-body.js';

/** The type of a body the Response gives none (the same as @hono/node-server's). */
const DEFAULT_TYPE = 'text/plain; charset=UTF-8';

/**
 * A Web `Response` (what a fetch handler returns) as a jato Response, sent as the handler built it:
 * its status, reason, headers and body. A body without a `Content-Type` gets
 * `text/plain; charset=UTF-8`, as `@hono/node-server` sends it (jato sends a type with every body). A body built from a string
 * or bytes (`new Response('hi')`, `Response.json()`, Hono's `c.text`/`c.json`) is taken as it is,
 * without reading its stream (see `bodySource`); any other body is streamed from `res.body` with
 * backpressure. Throws a TypeError for what cannot be sent (not a Response, a used body); an invalid
 * status (e.g. `Response.error()`, status 0) throws a RangeError: the request gets a logged 500.
 * @internal
 */
export function toJatoResponse(web: globalThis.Response): Response {
  if (web === null || typeof web !== 'object' || typeof (web as { status?: unknown }).status !== 'number') {
    throw new TypeError(`The fetch handler returned ${web === null ? 'null' : typeof web}, not a Response`);
  }
  const light = LightResponse.partsOf(web);
  if (light !== null) {
    const res = new Response(light.body, { status: light.status });
    fillHeaders(res.headers, light.headers);
    (res as { defaultType: string | null }).defaultType = DEFAULT_TYPE;
    return res;
  }
  const statusText = web.statusText;
  const init = statusText === '' ? { status: web.status } : { status: web.status, statusText };
  const source = bodySource(web);
  let res: Response;
  if (source !== undefined) res = new Response(source, init);
  else {
    if (web.bodyUsed) throw new TypeError('The Response body was already read');
    res = new Response(web.body, init);
  }
  const headers = res.headers;
  const wh = web.headers;
  let cookies = false;
  wh.forEach((value, name) => {
    if (name === 'set-cookie') cookies = true;
    else headers.append(name, value);
  });
  // Headers joins repeated fields with ', ' except Set-Cookie, which must stay separate lines
  if (cookies) for (const cookie of wh.getSetCookie()) headers.append('set-cookie', cookie);
  (res as { defaultType: string | null }).defaultType = DEFAULT_TYPE;
  return res;
}

/** Copy a HeadersInit (a Headers, pairs or a record) into jato's headers; Set-Cookie lines stay separate. */
function fillHeaders(into: ResponseHeaders, init: WebHeadersInit | undefined): void {
  if (init === undefined) return;
  if (init instanceof Headers) {
    let cookies = false;
    init.forEach((value, name) => {
      if (name === 'set-cookie') cookies = true;
      else into.append(name, value);
    });
    if (cookies) for (const cookie of init.getSetCookie()) into.append('set-cookie', cookie);
  } else if (Array.isArray(init)) {
    for (const pair of init as unknown as ReadonlyArray<readonly [string, string]>) into.append(pair[0], pair[1]);
  } else {
    const record = init as Record<string, string>;
    for (const name in record) into.append(name, record[name]!);
  }
}
