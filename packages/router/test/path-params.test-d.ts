import { describe, expectTypeOf, it } from 'vitest';
import type { ParamNames, PathParams } from '../src/index.js';

describe('PathParams', () => {
  it('types :name and {name} params', () => {
    expectTypeOf<PathParams<'/users/:id/posts/:postId'>>().toEqualTypeOf<{ id: string; postId: string }>();
    expectTypeOf<PathParams<'/users/{id}/posts/{postId}'>>().toEqualTypeOf<{ id: string; postId: string }>();
    expectTypeOf<PathParams<'/orgs/{org}/repos/:repo/'>>().toEqualTypeOf<{ org: string; repo: string }>();
    expectTypeOf<PathParams<'/:lang'>>().toEqualTypeOf<{ lang: string }>();
  });

  it('types the catch-all as "*" or its name', () => {
    expectTypeOf<PathParams<'/files/*'>>().toEqualTypeOf<{ '*': string }>();
    expectTypeOf<PathParams<'/u/:user/files/*path'>>().toEqualTypeOf<{ user: string; path: string }>();
  });

  it('has no keys for a static pattern and any key for a non-literal one', () => {
    expectTypeOf<PathParams<'/health'>>().toEqualTypeOf<{}>();
    expectTypeOf<keyof PathParams<'/a/b/c'>>().toEqualTypeOf<never>();
    expectTypeOf<PathParams<string>>().toEqualTypeOf<Record<string, string>>();
  });

  it('rejects access to a param the pattern does not have', () => {
    const params = {} as PathParams<'/users/:id'>;
    expectTypeOf(params.id).toEqualTypeOf<string>();
    // @ts-expect-error -- no such param
    void params.userId;
    const none = {} as PathParams<'/health'>;
    // @ts-expect-error -- a static route has no params
    void none.id;
  });

  it('gives the names as a union', () => {
    expectTypeOf<ParamNames<'/a/:x/b/{y}/*z'>>().toEqualTypeOf<'x' | 'y' | 'z'>();
    expectTypeOf<ParamNames<'/a/b'>>().toEqualTypeOf<never>();
  });

  it('handles long patterns', () => {
    type Long = '/a/:p1/b/:p2/c/:p3/d/:p4/e/:p5/f/:p6/g/:p7/h/:p8/i/:p9/j/:p10/k/:p11/l/:p12/*rest';
    expectTypeOf<ParamNames<Long>>().toEqualTypeOf<
      'p1' | 'p2' | 'p3' | 'p4' | 'p5' | 'p6' | 'p7' | 'p8' | 'p9' | 'p10' | 'p11' | 'p12' | 'rest'
    >();
  });
});
