import { describe, expectTypeOf, it } from 'vitest';
import { createRouter, LinearRouter, RadixRouter, type MatchResult, type Router, type RouteValue } from '../src/index.js';

describe('Router.add typing', () => {
  it('types an inline handler’s params from the path literal, with no annotations', () => {
    const router = createRouter<(params: Record<string, string>) => string>();
    router.add('GET', '/users/:id/posts/:postId', (params) => {
      expectTypeOf(params).toEqualTypeOf<{ id: string; postId: string }>();
      return params.id + params.postId;
    });
    router.add('GET', '/files/{dir}/*', (params) => {
      expectTypeOf(params).toEqualTypeOf<{ dir: string; '*': string }>();
      return params['*'];
    });
    // @ts-expect-error -- 'nope' is not a param of this path
    router.add('GET', '/users/:id', (params) => params.nope);
    // @ts-expect-error -- the handler must still return a string
    router.add('GET', '/n/:id', (params) => params.id.length);
  });

  it('keeps the handler’s other parameters and its readonly params', () => {
    const router = new RadixRouter<(params: Readonly<Record<string, string>>, ctx: { user: string }) => number>();
    router.add(['GET', 'HEAD'], '/x/:a', (params, ctx) => {
      expectTypeOf(params).toEqualTypeOf<{ a: string }>();
      expectTypeOf(ctx).toEqualTypeOf<{ user: string }>();
      return 1;
    });
  });

  it('leaves other value types alone', () => {
    const numbers = new LinearRouter<number>();
    numbers.add('GET', '/a/:b', 1);
    // @ts-expect-error -- a string is not a number
    numbers.add('GET', '/a', 'x');

    type Handler = (req: { path: string }) => void;
    const handlers = createRouter<Handler>();
    handlers.add('GET', '/a/:id', (req) => {
      expectTypeOf(req).toEqualTypeOf<{ path: string }>();
    });
    expectTypeOf<RouteValue<Handler, '/a/:id'>>().toEqualTypeOf<Handler>();
    expectTypeOf<RouteValue<{ handler: () => void }, '/a/:id'>>().toEqualTypeOf<{ handler: () => void }>();

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const anything = createRouter<any>();
    anything.add('GET', '/a/:id', 5);
    anything.add('GET', '/b/:id', (x: number) => x);
  });

  it('accepts a plain T from code that is generic in T', () => {
    function register<H>(router: Router<H>, pattern: string, handler: H): void {
      router.add('GET', pattern, handler);
      router.add(['GET', 'POST'], '/fixed/:id', handler);
    }
    register(createRouter<number>(), '/a', 1);
    // @ts-expect-error -- still checked against T
    register(createRouter<number>(), '/a', 'x');
  });

  it('narrows a match result by kind', () => {
    const router = createRouter<number>();
    const r = router.match('GET', '/a');
    expectTypeOf(r).toEqualTypeOf<MatchResult<number>>();
    if (r.kind === 'found') {
      expectTypeOf(r.value).toEqualTypeOf<number>();
      expectTypeOf(r.params).toEqualTypeOf<Readonly<Record<string, string>>>();
      expectTypeOf(r.pattern).toEqualTypeOf<string>();
    } else if (r.kind === 'method-not-allowed') {
      expectTypeOf(r.allowed).toEqualTypeOf<readonly string[]>();
    } else if (r.kind === 'bad-param') {
      expectTypeOf(r.segment).toEqualTypeOf<string>();
    } else {
      expectTypeOf(r).toEqualTypeOf<{ readonly kind: 'not-found' }>();
    }
  });
});
