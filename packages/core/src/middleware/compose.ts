import { isThenableResult } from '../dispatch/error-result.js';
import type { Request } from '../request/request.js';
import type { Middleware } from './types.js';

/** A request handler as the dispatcher calls it. @internal */
export type RequestFn = (req: Request) => unknown;

/**
 * One function running `middleware` around `inner`, in onion order. Each `next()` answers errors
 * thrown (or rejected) below it with `onError`, so middleware sees the error response. Sync all
 * the way down costs one small closure per middleware and request, and no promise.
 * Errors of the outermost middleware itself propagate to the caller.
 * @internal
 */
export function compose(
  middleware: readonly Middleware[],
  inner: RequestFn,
  onError: (req: Request, err: unknown) => unknown,
): RequestFn {
  const chain = middleware.slice();
  const n = chain.length;
  if (n === 0) return inner;
  const guarded = (req: Request, i: number): unknown => {
    let r: unknown;
    try {
      r = i === n ? inner(req) : step(req, i);
    } catch (err) {
      return onError(req, err);
    }
    if (isThenableResult(r)) return Promise.resolve(r).then(undefined, (err: unknown) => onError(req, err));
    return r;
  };
  const step = (req: Request, i: number): unknown => {
    let called = false;
    return chain[i]!(req, () => {
      if (called) throw new Error('next() was called more than once by the same middleware');
      called = true;
      return guarded(req, i + 1) as never;
    });
  };
  return (req) => step(req, 0);
}

/**
 * `handler` with its errors (thrown or rejected) answered by `onError`: a mounted app's routes, so
 * its error handlers see its errors first.
 * @internal
 */
export function guard(handler: RequestFn, onError: (req: Request, err: unknown) => unknown): RequestFn {
  return (req) => {
    let r: unknown;
    try {
      r = handler(req);
    } catch (err) {
      return onError(req, err);
    }
    if (isThenableResult(r)) return Promise.resolve(r).then(undefined, (err: unknown) => onError(req, err));
    return r;
  };
}
