/**
 * Registration bookkeeping shared by every implementation, so they all reject the same routes with the
 * same messages: one endpoint per canonical pattern, duplicate (method, pattern) checks, and one param
 * name per position (`/users/:id` and `/users/:userId/posts` conflict).
 */
import { Endpoint } from './endpoint.js';
import { ANY_METHOD, checkMethod, MethodIndex } from './methods.js';
import { parsePattern } from './pattern.js';
import { RouteError } from './route-error.js';

interface NamedAt {
  readonly name: string;
  readonly pattern: string;
}

export class RouteRegistry<T> {
  readonly methods = new MethodIndex();
  readonly endpoints = new Map<string, Endpoint<T>>();
  private readonly namesAt = new Map<string, NamedAt>();
  /** The largest number of params of any route (sizes the implementations' scratch space). */
  maxParams = 0;

  /**
   * Validate and record a route. Returns the endpoint and whether it is new (the caller then inserts
   * it into its structure). Nothing is changed when it throws.
   */
  add(method: string | readonly string[], pattern: string, value: T): { endpoint: Endpoint<T>; created: boolean } {
    const parsed = parsePattern(pattern);
    const list: readonly unknown[] = Array.isArray(method) ? method : [method];
    if (list.length === 0) throw new RouteError('invalid-method', `No method given for route ${JSON.stringify(pattern)}`);
    for (const m of list) checkMethod(m, pattern);
    const methods = list as readonly string[];
    const existing = this.endpoints.get(parsed.canonical);

    // one name per param position
    let prefix = '';
    let p = 0;
    const newNames: [string, NamedAt][] = [];
    for (const segment of parsed.segments) {
      if (segment.kind === 'static') {
        prefix += `/${segment.text}`;
        continue;
      }
      prefix += segment.kind === 'param' ? '/:' : '/*';
      const name = parsed.paramNames[p++]!;
      const before = this.namesAt.get(prefix);
      if (before === undefined) newNames.push([prefix, { name, pattern }]);
      else if (before.name !== name) {
        throw new RouteError(
          'param-conflict',
          `Conflicting param names: route ${JSON.stringify(pattern)} calls the ${segment.kind === 'param' ? 'param' : 'catch-all'} ` +
            `at ${JSON.stringify(prefix)} ${JSON.stringify(name)}, but route ${JSON.stringify(before.pattern)} ` +
            `already calls it ${JSON.stringify(before.name)}`,
        );
      }
    }

    // duplicates (against earlier routes and within this call)
    const seen = new Set<string>();
    for (const m of methods) {
      const dup = existing?.byMethod.get(m);
      if (dup !== undefined || seen.has(m)) {
        const what = m === ANY_METHOD ? 'any method ("*")' : m;
        throw new RouteError(
          'duplicate-route',
          `Duplicate route: ${what} ${JSON.stringify(pattern)} is already registered as ${what} ` +
            `${JSON.stringify(dup?.pattern ?? pattern)}`,
        );
      }
      seen.add(m);
    }

    // commit
    for (const [key, at] of newNames) this.namesAt.set(key, at);
    const endpoint = existing ?? new Endpoint<T>(parsed);
    if (!existing) this.endpoints.set(parsed.canonical, endpoint);
    let grew = false;
    for (const m of methods) {
      endpoint.set(m, pattern, value);
      if (this.methods.register(m)) grew = true;
    }
    if (grew) for (const e of this.endpoints.values()) e.rebuild(this.methods);
    else endpoint.rebuild(this.methods);
    this.maxParams = Math.max(this.maxParams, parsed.paramNames.length);
    return { endpoint, created: !existing };
  }
}
