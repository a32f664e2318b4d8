import { ResponseHeaders } from '../response/headers.js';
import { APPLICATION_JSON, Response } from '../response/response.js';
import { streamKind, unsendableKind } from '../response/stream-source.js';

/** Normalise a settled handler result into a jato Response (the hooked/slow path). */
export function toResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  if (typeof result === 'string') return new Response(result);
  if (result === null || result === undefined) return new Response(null, { status: 204 });
  if (result instanceof Uint8Array || result instanceof ArrayBuffer) return new Response(result);
  if (streamKind(result) !== null) return new Response(result as object);
  const bad = unsendableKind(result);
  if (bad !== null) throw new TypeError(`A handler returned ${bad}: jato cannot send it`);
  const json = JSON.stringify(result);
  if (typeof json !== 'string') throw new TypeError(`A handler returned a value that cannot be sent (${typeof result})`);
  return new Response(json, { type: APPLICATION_JSON });
}

/**
 * Convert a Web-standard Response. Without `buf` its body (if any) becomes a streamed body; with
 * `buf` (the body already read) the bytes are the body.
 */
export function fromWebResponse(web: globalThis.Response, buf?: ArrayBuffer): Response {
  if (buf === undefined && web.bodyUsed) throw new TypeError('The Web Response body was already read');
  const headers = new ResponseHeaders();
  web.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers.append(name, value);
  });
  for (const cookie of web.headers.getSetCookie()) headers.append('set-cookie', cookie);
  const init = { status: web.status, headers, ...(web.statusText !== '' ? { statusText: web.statusText } : {}) };
  if (buf === undefined) return new Response(web.body, init);
  return new Response(buf.byteLength === 0 && web.body === null ? null : new Uint8Array(buf), init);
}
