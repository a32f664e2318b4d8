/** Shared frozen results, so that the common answers allocate nothing. */
import type { BadParamResult, FoundResult, MethodNotAllowedResult, NotFoundResult } from './router.js';

/** The params of every route without params. */
export const EMPTY_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** The one not-found result. */
export const NOT_FOUND: NotFoundResult = Object.freeze({ kind: 'not-found' });

/** A frozen found result (static routes reuse it on every match). */
export function foundResult<T>(value: T, pattern: string): FoundResult<T> {
  return Object.freeze({ kind: 'found', value, params: EMPTY_PARAMS, pattern });
}

/** A frozen 405 result; `allowed` is sorted and frozen. */
export function methodNotAllowed(allowed: Iterable<string>): MethodNotAllowedResult {
  return Object.freeze({ kind: 'method-not-allowed', allowed: Object.freeze([...new Set(allowed)].sort()) });
}

/** A 400 result naming the raw segment. */
export function badParam(segment: string): BadParamResult {
  return Object.freeze({ kind: 'bad-param', segment });
}
