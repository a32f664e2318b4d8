import { isThenableResult } from '../dispatch/error-result.js';
import { fromWebResponse, toResponse } from '../dispatch/to-response.js';
import type { Response } from '../response/response.js';

/**
 * Apply `fn` to the response `next()` produced, sync when it is sync (no promise), after it settles
 * when it is a Promise. The result is normalised to a jato `Response` first (strings, objects and
 * Web Responses included; a Web Response's body stays a stream, `res.stream`), so `fn` may read and
 * change `res.status` and `res.headers`. `fn` may return a replacement (or a Promise of one):
 *
 * ```ts
 * app.use((req, next) => mapResponse(next(), (res) => { res.headers.set('x-served-by', 'a'); return res }))
 * ```
 */
export function mapResponse(result: unknown, fn: (res: Response) => Response | Promise<Response> | void): Response | Promise<Response> {
  if (isThenableResult(result)) return Promise.resolve(result).then((r) => mapResponse(r, fn));
  const res = isWebResponse(result) ? fromWebResponse(result) : toResponse(result);
  return fn(res) ?? res;
}

function isWebResponse(v: unknown): v is globalThis.Response {
  if (v === null || typeof v !== 'object') return false;
  const r = v as globalThis.Response;
  return typeof r.arrayBuffer === 'function' && typeof r.status === 'number' && typeof r.headers === 'object' && r.headers !== null;
}
