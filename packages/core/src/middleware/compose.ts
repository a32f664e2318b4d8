import { isThenableResult } from '../dispatch/error-result.js';
import type { Request } from '../request/request.js';
import { fastStepOf } from './fast-step.js';
import { type AbsentPlan, LeadPlan, absentPlanOf } from './lead-plan.js';
import type { Middleware } from './types.js';

/** A request handler as the dispatcher calls it. @internal */
export type RequestFn = (req: Request) => unknown;

/**
 * One function running `middleware` around `inner`, in onion order. Each `next()` answers errors
 * thrown (or rejected) below it with `onError`, so middleware sees the error response. Errors of the
 * outermost middleware itself propagate to the caller.
 *
 * Sync all the way down costs no promise: the layers and their error guards are made here, once;
 * per request a user middleware costs one small `next` closure, and jato's own middleware
 * (`requestId()`, `cors()`: see `FastStep`) none. With `outermost` (the app's own chain, whose
 * result is encoded directly) the leading run of jato middleware records its response headers on
 * the request instead of building a Response for them.
 * @internal
 */
export function compose(
  middleware: readonly Middleware[],
  inner: RequestFn,
  onError: (req: Request, err: unknown) => unknown,
  outermost = false,
): RequestFn {
  const chain = middleware.slice();
  const n = chain.length;
  if (n === 0) return inner;
  let lead = 0;
  if (outermost) while (lead < n && fastStepOf(chain[lead]!) !== null) lead++;
  let below = inner;
  let afterLead: RequestFn | null = null;
  for (let i = n - 1; i >= 0; i--) {
    const rest = guard(below, onError);
    if (i === lead - 1) afterLead = rest;
    below = layer(chain[i]!, rest, i < lead);
  }
  // the lead as one step for requests without the headers it reads (see LeadPlan)
  const plans = chain.slice(0, lead).map(absentPlanOf);
  if (lead > 0 && plans.every((p) => p !== null)) return new LeadPlan(plans as AbsentPlan[]).step(below, afterLead!);
  return below;
}

/** One middleware around `rest` (the guarded rest of the chain). */
function layer(mw: Middleware, rest: RequestFn, outermost: boolean): RequestFn {
  const fast = fastStepOf(mw);
  if (fast !== null) {
    const step = fast(outermost);
    return (req) => step(req, rest);
  }
  return (req) => {
    let called = false;
    return mw(req, () => {
      if (called) throw new Error('next() was called more than once by the same middleware');
      called = true;
      return rest(req) as never;
    });
  };
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
