/**
 * The `Router<T>` contract every router implementation satisfies (one shared case suite tests them all).
 * `T` is whatever the user stores per route (for `@jato/core`, a handler and its options).
 */
import type { PathParams } from './path-params.js';

/** A successful match: the stored value, the decoded params and the pattern that matched. */
export interface FoundResult<T> {
  readonly kind: 'found';
  readonly value: T;
  /**
   * Percent-decoded params. The same frozen empty object when the route has none; a fresh plain object
   * (one property per param, `'*'` or the catch-all's name for a catch-all) otherwise.
   */
  readonly params: Readonly<Record<string, string>>;
  /** The registered pattern, e.g. '/users/:id'. */
  readonly pattern: string;
}

/** The path exists under other methods: answer 405 with `Allow: <allowed>`. */
export interface MethodNotAllowedResult {
  readonly kind: 'method-not-allowed';
  /** Sorted, frozen; includes HEAD when GET is allowed; never includes OPTIONS unless registered. */
  readonly allowed: readonly string[];
}

/** A param segment of the chosen route is not valid percent-encoded UTF-8: answer 400. */
export interface BadParamResult {
  readonly kind: 'bad-param';
  /** The raw (still encoded) text that failed to decode. */
  readonly segment: string;
}

/** No route matches the path under any method: answer 404. */
export interface NotFoundResult {
  readonly kind: 'not-found';
}

/** Outcome of a match. Exactly one of the kinds. */
export type MatchResult<T> = FoundResult<T> | MethodNotAllowedResult | BadParamResult | NotFoundResult;

/** A method name ('GET', 'POST', any RFC 9110 token, case-sensitive) or '*' for any method. */
export type RouteMethod = string;

/**
 * The value type `add` expects for `pattern`. When `T` is a function whose first parameter takes the
 * params record (`(params: Record<string, string>, ...rest) => R`), that parameter is narrowed to
 * `PathParams<P>`, so an inline handler gets its params typed from the path literal. Any other `T` is
 * taken as is.
 */
export type RouteValue<T, P extends string> = 0 extends 1 & T
  ? T
  : [T] extends [(params: infer Q, ...rest: infer A) => infer R]
    ? [Record<string, string>] extends [Q]
      ? (params: PathParams<P>, ...rest: A) => R
      : T
    : T;

/**
 * A router: routes registered with `add`, looked up with `match`. Implementations: `RadixRouter` (the
 * default, `createRouter()`) and `LinearRouter`; all pass the same case suite.
 */
export interface Router<T> {
  /**
   * Register `value` for `method` ('GET', … or '*' for any; or a list of them) on `pattern`.
   * Throws a `RouteError` at once on an invalid pattern, a duplicate route or a param-name conflict.
   * With a pattern literal, a handler-like `T` gets its params typed from it (see `RouteValue`).
   */
  add<P extends string>(method: RouteMethod | readonly RouteMethod[], pattern: P, value: RouteValue<T, P>): void;
  /** The same, for a value typed plainly as `T` (e.g. inside code generic in `T`). */
  add(method: RouteMethod | readonly RouteMethod[], pattern: string, value: T): void;
  /** Match a request path (no query string) for a method. Never throws. */
  match(method: string, path: string): MatchResult<T>;
}
