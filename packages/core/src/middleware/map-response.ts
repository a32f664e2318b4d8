import { isThenableResult } from '../dispatch/error-result.js';
import { fromWebResponse, toResponse } from '../dispatch/to-response.js';
import type { Response } from '../response/response.js';

/**
 * Apply `fn` to the response `next()` produced, sync when it is sync (no promise), after it settles
 * when it is a Promise. The result is normalised to a jato `Response` first (strings, objects and
 * Web Responses included), so `fn` may read and change `res.status` and `res.headers`:
 *
 * ```ts
 * app.use((req, next) => mapResponse(next(), (res) => { res.headers.set('x-served-by', 'a'); return res }))
 * ```
 */
export function mapResponse(result: unknown, fn: (res: Response) => Response | void): Response | Promise<Response> {
  if (isThenableResult(result)) return Promise.resolve(result).then((r) => mapResponse(r, fn));
  if (isWebResponse(result)) {
    const web = result;
    return web.arrayBuffer().then((buf) => mapResponse(fromWebResponse(web, buf), fn));
  }
  const res = toResponse(result);
  return fn(res) ?? res;
}

function isWebResponse(v: unknown): v is globalThis.Response {
  if (v === null || typeof v !== 'object') return false;
  const r = v as globalThis.Response;
  return typeof r.arrayBuffer === 'function' && typeof r.status === 'number' && typeof r.headers === 'object' && r.headers !== null;
}
