/**
 * Everything registered on one pattern (up to param names): the value per method, and the table that
 * answers a method index with a ready result in one array read.
 */
import { ANY_METHOD, type MethodIndex } from './methods.js';
import type { ParsedPattern } from './pattern.js';
import { foundResult, methodNotAllowed } from './results.js';
import type { FoundResult, MethodNotAllowedResult } from './router.js';

export class Endpoint<T> {
  readonly parsed: ParsedPattern;
  /** Param names in path order; empty for a static route. */
  readonly paramNames: readonly string[];
  /** Registered method ('*' included) → its frozen found result. */
  readonly byMethod = new Map<string, FoundResult<T>>();
  /**
   * Method index → effective result: the method's own route, else GET for HEAD, else the '*' route.
   * Always as long as the router's method registry (no out-of-bounds reads on the hot path).
   */
  table: (FoundResult<T> | undefined)[] = [];
  /** The 405 answer when this is the only endpoint that matches the path. */
  notAllowed: MethodNotAllowedResult = methodNotAllowed([]);

  constructor(parsed: ParsedPattern) {
    this.parsed = parsed;
    this.paramNames = parsed.paramNames;
  }

  /** Store `value` under `method` as registered with `pattern` (duplicates are checked by the caller). */
  set(method: string, pattern: string, value: T): void {
    this.byMethod.set(method, foundResult(value, pattern));
  }

  /** Methods this endpoint answers explicitly, for `Allow`: HEAD joins GET; '*' is left out. */
  allowedMethods(): string[] {
    const out: string[] = [];
    for (const m of this.byMethod.keys()) if (m !== ANY_METHOD) out.push(m);
    if (this.byMethod.has('GET')) out.push('HEAD');
    return out;
  }

  /** Recompute `table` and `notAllowed` after a registration. */
  rebuild(methods: MethodIndex): void {
    const any = this.byMethod.get(ANY_METHOD);
    const get = this.byMethod.get('GET');
    this.table = methods.names.map(
      (name) => this.byMethod.get(name) ?? (name === 'HEAD' ? get : undefined) ?? any,
    );
    this.notAllowed = methodNotAllowed(this.allowedMethods());
  }
}
