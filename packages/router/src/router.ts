/**
 * The `Router<T>` contract every router implementation satisfies (one shared case suite tests them all).
 * `T` is whatever the user stores per route (for `@jato/core`, a handler and its options).
 */

/** Outcome of a match. Exactly one of the kinds. */
export type MatchResult<T> =
  | {
      readonly kind: 'found';
      readonly value: T;
      /** Percent-decoded params; the same frozen empty object when the route has none. */
      readonly params: Readonly<Record<string, string>>;
      /** The registered pattern, e.g. '/users/:id'. */
      readonly pattern: string;
    }
  /** The path exists under other methods: answer 405 with `Allow: <allowed>`. */
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  /** A param segment is not valid percent-encoded UTF-8: answer 400. */
  | { readonly kind: 'bad-param'; readonly segment: string }
  | { readonly kind: 'not-found' };

export interface Router<T> {
  /** Register `value` for `method` ('GET', … or '*' for any) on `pattern`. Throws on invalid or duplicate routes. */
  add(method: string, pattern: string, value: T): void;
  /** Match a request path (no query string) for a method. Never throws. */
  match(method: string, path: string): MatchResult<T>;
}
