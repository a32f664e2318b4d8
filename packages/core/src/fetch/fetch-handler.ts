import type { Request as JatoRequest } from '../request/request.js';
import type { Response } from '../response/response.js';
import { FetchContext, type FetchEnv, type WaitUntilSet } from './fetch-context.js';
import { LazyRequest } from './lazy-request.js';
import { toJatoResponse } from './web-response.js';

/**
 * A Web-standard request handler, as Hono, Elysia, itty-router, h3 and others expose it
 * (`app.fetch`): `(request, env, ctx) => Response | Promise<Response>`.
 */
export type FetchHandler = (
  request: globalThis.Request,
  env: FetchEnv,
  ctx: FetchEnv,
) => globalThis.Response | PromiseLike<globalThis.Response>;

/**
 * The jato handler that serves `fetch`: hands it a lazy Web Request and sends the Web Response it
 * returns (see `toJatoResponse`). A sync result stays on jato's sync path (no promise per request).
 * @internal
 */
export function fetchAdapter(fetch: FetchHandler, waiting: WaitUntilSet): (req: JatoRequest) => Response | Promise<Response> {
  return (req) => {
    const web = new LazyRequest(req, req.protocol);
    const ctx = new FetchContext(req, waiting);
    let result: globalThis.Response | PromiseLike<globalThis.Response>;
    try {
      result = fetch(web as unknown as globalThis.Request, ctx, ctx);
    } catch (err) {
      web.seal();
      ctx.seal();
      throw err;
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function' && !isResponseLike(result)) {
      return Promise.resolve(result).then(
        (res) => finish(web, ctx, res),
        (err: unknown) => {
          web.seal();
          ctx.seal();
          throw err;
        },
      );
    }
    return finish(web, ctx, result as globalThis.Response);
  };
}

function finish(web: LazyRequest, ctx: FetchContext, res: globalThis.Response): Response {
  try {
    return toJatoResponse(res);
  } finally {
    web.seal();
    ctx.seal();
  }
}

function isResponseLike(v: object): boolean {
  return typeof (v as globalThis.Response).status === 'number' && typeof (v as globalThis.Response).headers === 'object';
}
