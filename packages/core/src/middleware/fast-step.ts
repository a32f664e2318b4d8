import type { Request } from '../request/request.js';
import type { Response } from '../response/response.js';
import { addVary } from '../response/vary.js';
import type { RequestFn } from './compose.js';
import type { Middleware } from './types.js';

/**
 * The allocation-free form of a middleware made by jato (`requestId()`, `cors()`): the rest of the
 * chain is `rest(req)`, a function made once when the chain is composed, not a `next` closure per
 * request. @internal
 */
export type FastStep = (req: Request, rest: RequestFn) => unknown;

/**
 * The property of a jato middleware giving its fast form. `outermost` is true when only such
 * middleware runs outside it in the app's chain: nothing can then observe the response before it is
 * encoded, so the step records its response headers on the request (`recordHeader`) instead of
 * building a Response to set them on. @internal
 */
export const FAST_STEP: unique symbol = Symbol('jato.fastStep');

/** A middleware with a fast form. @internal */
export interface FastMiddleware extends Middleware {
  [FAST_STEP](outermost: boolean): FastStep;
}

/** The fast form of `mw` if jato made it, else null. @internal */
export function fastStepOf(mw: Middleware): ((outermost: boolean) => FastStep) | null {
  const f = (mw as Partial<FastMiddleware>)[FAST_STEP];
  return typeof f === 'function' ? f : null;
}

/** A middleware from its fast form (the Middleware API: `next` stands for `rest`). @internal */
export function fastMiddleware(make: (outermost: boolean) => FastStep): FastMiddleware {
  const step = make(false);
  const mw = ((req: Request, next: () => unknown) => step(req, next as RequestFn)) as FastMiddleware;
  mw[FAST_STEP] = make;
  return mw as FastMiddleware;
}

/** How a recorded header applies to the response: set unless the response has it. @internal */
export const SET_IF_ABSENT = 0;
/** Set (replacing). @internal */
export const SET = 1;
/** Add the value as a token to `Vary` (see `addVary`). @internal */
export const VARY = 2;
/**
 * Added to an op: the recorded `line` is a string the middleware keeps and records again for other
 * requests (a constant), so it can be part of a cached head prefix (see `SharedLines`). @internal
 */
export const SHARED = 4;
/**
 * Added to an op: the value is a number rendered by the recorded `line`, a `NumberedLine` (a
 * counter-made request id): no string is made for it per request unless something reads it. @internal
 */
export const NUMBERED = 8;
/** One of SET_IF_ABSENT, SET, VARY, optionally plus SHARED or NUMBERED. @internal */
export type HeaderOp = number;

/**
 * The header of a NUMBERED op: its value is `valuePrefix + n`. `start` (`${name}: ${valuePrefix}`)
 * is a constant string, validated once where it is made: a transport writes it and the digits of
 * `n` (valid by construction). @internal
 */
export interface NumberedLine {
  /** `${name}: ${valuePrefix}`, the same string object for every number. */
  readonly start: string;
  /** The value for `n`. */
  value(n: number): string;
}

/** The value of the recorded op at `k` (rendered if NUMBERED). @internal */
export function recordedValue(ops: readonly unknown[], k: number): string {
  const v = ops[k + 3];
  return ((ops[k] as number) & NUMBERED) === 0 ? (v as string) : (ops[k + 4] as NumberedLine).value(v as number);
}

/** The head line of the recorded op at `k` (rendered if NUMBERED). @internal */
export function recordedLine(ops: readonly unknown[], k: number): string {
  const line = ops[k + 4];
  return ((ops[k] as number) & NUMBERED) === 0 ? (line as string) : `${(line as NumberedLine).start}${ops[k + 3] as number}\r\n`;
}

/**
 * Record a response header for the request: applied when its response is encoded, before
 * `onResponse` hooks. `value` must be a valid header value and `name` a valid header name, `key` its
 * lower case, `line` the head line `${name}: ${value}\r\n` (the recorder checks and renders; nothing
 * checks again). With NUMBERED, `value` is the number and `line` its `NumberedLine`. @internal
 */
export function recordHeader(
  req: Request, op: HeaderOp, name: string, key: string, value: string | number, line: string | NumberedLine,
): void {
  let ops = req.resOps;
  if (ops === null) ops = req.resOps = [0];
  if (req.resPlan !== null) req.resPlan = null; // its records are overwritten (see LeadPlan)
  const n = ops[0] as number;
  ops[n + 1] = op;
  ops[n + 2] = name;
  ops[n + 3] = key;
  ops[n + 4] = value;
  ops[n + 5] = line;
  ops[0] = n + 5;
}

/** Whether headers were recorded for the request's current response. @internal */
export function hasRecorded(ops: unknown[] | null): ops is unknown[] {
  return ops !== null && ops[0] !== 0;
}

/** Forget the recorded headers (the array is kept for the next request). @internal */
export function clearRecorded(ops: unknown[] | null): void {
  if (ops !== null && ops[0] !== 0) ops[0] = 0;
}

/** Apply the recorded headers to `res` (innermost recorded first, as their middleware would). @internal */
export function applyRecorded(res: Response, ops: readonly unknown[]): Response {
  const h = res.headers;
  const end = (ops[0] as number) + 1;
  for (let k = 1; k < end; k += 5) {
    const op = (ops[k] as number) & 3;
    const name = ops[k + 1] as string;
    const value = recordedValue(ops, k);
    if (op === VARY) addVary(h, value);
    else if (op === SET || !h.has(name)) h.set(name, value);
  }
  return res;
}
