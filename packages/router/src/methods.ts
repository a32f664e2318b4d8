/**
 * Method names ↔ small integers, so that a matched endpoint answers a method with one array read.
 * Index 0 stands for every method no route names (only '*' routes can serve those).
 */
import { RouteError } from './route-error.js';

/** The method token that registers a route for any method. */
export const ANY_METHOD = '*';

const TCHAR = "!#$%&'*+-.^_`|~";

/** Throw unless `method` is an RFC 9110 token or '*'. */
export function checkMethod(method: unknown, pattern: string): asserts method is string {
  const ok =
    typeof method === 'string' &&
    method.length > 0 &&
    [...method].every((ch) => /^[A-Za-z0-9]$/.test(ch) || TCHAR.includes(ch));
  if (!ok) {
    throw new RouteError(
      'invalid-method',
      `Invalid method ${JSON.stringify(method)} for route ${JSON.stringify(pattern)}: ` +
        'expected an HTTP method token such as "GET", or "*" for any method',
    );
  }
}

/** The method registry of one router. */
export class MethodIndex {
  /** names[i] is the method of index i; names[0] is '' (unregistered methods). */
  readonly names: string[] = ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  private readonly extra = new Map<string, number>();

  /** Index of `method`, 0 when no route names it. Hot path: the common methods need no map lookup. */
  indexOf(method: string): number {
    switch (method) {
      case 'GET':
        return 1;
      case 'HEAD':
        return 2;
      case 'POST':
        return 3;
      case 'PUT':
        return 4;
      case 'DELETE':
        return 5;
      case 'PATCH':
        return 6;
      case 'OPTIONS':
        return 7;
      default:
        return this.extra.get(method) ?? 0;
    }
  }

  /** Give `method` an index (no-op for known ones); returns true when the registry grew. */
  register(method: string): boolean {
    if (method === ANY_METHOD || this.indexOf(method) !== 0) return false;
    this.extra.set(method, this.names.length);
    this.names.push(method);
    return true;
  }
}
