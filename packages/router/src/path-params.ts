/**
 * Type-level params of a route pattern, e.g.
 * `PathParams<'/users/:id/posts/{postId}'>` is `{ id: string; postId: string }`,
 * `PathParams<'/files/*'>` is `{ '*': string }`, `PathParams<'/files/*path'>` is `{ path: string }`,
 * `PathParams<'/health'>` is `{}` (no keys). A non-literal `string` pattern gives `Record<string, string>`.
 */
export type PathParams<P extends string> = string extends P
  ? Record<string, string>
  : { [K in ParamNames<P>]: string };

/** The union of param names in a pattern (never when there are none). */
export type ParamNames<P extends string> = NamesOf<P, never>;

type NamesOf<P extends string, Acc> = P extends `${infer Head}/${infer Rest}`
  ? NamesOf<Rest, Acc | SegmentName<Head>>
  : Acc | SegmentName<P>;

type SegmentName<S extends string> = S extends `:${infer N}`
  ? N
  : S extends `{${infer N}}`
    ? N
    : S extends '*'
      ? '*'
      : S extends `*${infer N}`
        ? N
        : never;
