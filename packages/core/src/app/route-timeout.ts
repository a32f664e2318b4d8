import { isThenableResult } from '../dispatch/error-result.js';
import type { HandlerResult } from './types.js';
import { HttpError } from '../errors/http-error.js';
import type { Middleware } from '../middleware/types.js';
import { Response } from '../response/response.js';
import { openSource, streamKind } from '../response/stream-source.js';

/**
 * The route option `timeout` as middleware: a handler that has not produced its result `ms`
 * milliseconds after the route's middleware and `onRequest` hooks passed the request on is
 * answered `503 Service Unavailable` (an `HttpError`, so the app's error handlers and middleware
 * see it) and `req.signal` fires with a `TimeoutError` `DOMException`. A result that comes later is
 * dropped (a streamed body in it is cancelled). A sync handler has answered by the time it returns:
 * no timer is set for it. The time covers producing the result (the head), not streaming its body.
 * @internal
 */
export function timeoutMiddleware(ms: number): Middleware {
  if (typeof ms !== 'number' || !(ms > 0) || !Number.isFinite(ms) || ms > 2_147_483_647) {
    throw new RangeError('timeout must be a positive number of milliseconds (at most 2^31 - 1)');
  }
  return (req, next) => {
    const result = next();
    if (!isThenableResult(result)) return result;
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        req.abortNow(new DOMException(`The route did not answer within ${ms} ms`, 'TimeoutError'));
        reject(new HttpError(503, `Service Unavailable: the route did not answer within ${ms} ms`));
      }, ms);
      Promise.resolve(result).then(
        (value) => {
          if (late) dropLate(value);
          else {
            clearTimeout(timer);
            resolve(value as HandlerResult);
          }
        },
        (err: unknown) => {
          if (!late) {
            clearTimeout(timer);
            reject(err);
          }
        },
      );
    });
  };
}

/** Cancel the streamed body of a result nobody will send. */
function dropLate(value: unknown): void {
  const body = value instanceof Response ? value.stream : value;
  const kind = streamKind(body);
  if (kind !== null) openSource(body as object, kind).cancel(new DOMException('The route timed out', 'TimeoutError'));
}
