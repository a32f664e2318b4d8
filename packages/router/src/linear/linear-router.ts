/**
 * The reference router: every route in priority order, each tried against the path in turn. Slow
 * (O(routes) per match) and obviously right; the shared case suite and the differential test hold the
 * radix router to the same answers.
 */
import { decodeParam } from '../decode-param.js';
import type { Endpoint } from '../endpoint.js';
import type { PatternSegment } from '../pattern.js';
import { badParam, methodNotAllowed, NOT_FOUND } from '../results.js';
import { RouteRegistry } from '../route-registry.js';
import type { MatchResult, RouteMethod, Router, RouteValue } from '../router.js';

const RANK = { static: 0, param: 1, wildcard: 2 } as const;

/** Static before param before catch-all, segment by segment from the left. */
function compareRoutes(a: readonly PatternSegment[], b: readonly PatternSegment[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = RANK[a[i]!.kind] - RANK[b[i]!.kind];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Param spans [start, end, start, end, …] when `segments` match the whole path, else null. */
function spans(segments: readonly PatternSegment[], path: string): number[] | null {
  const out: number[] = [];
  const len = path.length;
  let pos = 1;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'wildcard') {
      out.push(pos, len);
      return out;
    }
    let end = path.indexOf('/', pos);
    if (end === -1) end = len;
    if (segment.kind === 'static' ? path.slice(pos, end) !== segment.text : end === pos) return null;
    if (segment.kind === 'param') out.push(pos, end);
    const last = i === segments.length - 1;
    if (last !== (end === len)) return null;
    pos = end + 1;
  }
  return out;
}

/** Linear-scan implementation of `Router<T>`. */
export class LinearRouter<T> implements Router<T> {
  private readonly registry = new RouteRegistry<T>();
  private routes: Endpoint<T>[] = [];

  add<P extends string>(method: RouteMethod | readonly RouteMethod[], pattern: P, value: RouteValue<T, P>): void;
  add(method: RouteMethod | readonly RouteMethod[], pattern: string, value: T): void;
  add(method: RouteMethod | readonly RouteMethod[], pattern: string, value: unknown): void {
    const { endpoint, created } = this.registry.add(method, pattern, value as T);
    if (created) {
      this.routes = [...this.routes, endpoint].sort((a, b) => compareRoutes(a.parsed.segments, b.parsed.segments));
    }
  }

  match(method: string, path: string): MatchResult<T> {
    if (typeof path !== 'string' || path.charCodeAt(0) !== 47) return NOT_FOUND;
    const mi = this.registry.methods.indexOf(method);
    const seen: Endpoint<T>[] = [];
    for (const endpoint of this.routes) {
      const at = spans(endpoint.parsed.segments, path);
      if (at === null) continue;
      const r = endpoint.table[mi];
      if (r === undefined) {
        seen.push(endpoint);
        continue;
      }
      if (endpoint.paramNames.length === 0) return r;
      const params: Record<string, string> = {};
      for (let i = 0; i < endpoint.paramNames.length; i++) {
        const raw = path.slice(at[i * 2], at[i * 2 + 1]);
        const value = decodeParam(raw);
        if (value === undefined) return badParam(raw);
        params[endpoint.paramNames[i]!] = value;
      }
      return { kind: 'found', value: r.value, params, pattern: r.pattern };
    }
    if (seen.length === 0) return NOT_FOUND;
    if (seen.length === 1) return seen[0]!.notAllowed;
    return methodNotAllowed(seen.flatMap((e) => e.allowedMethods()));
  }
}
