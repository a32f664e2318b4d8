/**
 * The slow path of a match with params: decode each span (start, end pairs over `path`); the first
 * span that does not decode gives a bad-param result instead.
 */
import { decodeParam } from './decode-param.js';
import { badParam } from './results.js';
import type { BadParamResult, FoundResult } from './router.js';

export function foundWithParams<T>(
  found: FoundResult<T>,
  names: readonly string[],
  path: string,
  spans: ArrayLike<number>,
): FoundResult<T> | BadParamResult {
  const params: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const raw = path.slice(spans[i * 2], spans[i * 2 + 1]);
    const value = decodeParam(raw);
    if (value === undefined) return badParam(raw);
    params[names[i]!] = value;
  }
  return { kind: 'found', value: found.value, params, pattern: found.pattern };
}
