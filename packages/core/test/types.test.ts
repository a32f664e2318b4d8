import { describe, expect, expectTypeOf, it } from 'vitest';
import { App, Response, type Form, type HandlerResult, type ListeningApp, type Request, type UploadedFile } from '../src/index.js';

describe('types', () => {
  it('types requests, params, bodies and results', () => {
    const app = new App();
    app.get('/users/:id/posts/{postId}/*rest', (req) => {
      expectTypeOf(req).toMatchTypeOf<Request<{ id: string; postId: string; rest: string }>>();
      expectTypeOf(req.params).toEqualTypeOf<{ id: string; postId: string; rest: string }>();
      expectTypeOf(req.query).toEqualTypeOf<URLSearchParams>();
      expectTypeOf(req.header('x')).toEqualTypeOf<string | undefined>();
      expectTypeOf(req.headerValues('x')).toEqualTypeOf<string[]>();
      expectTypeOf(req.bytes()).toEqualTypeOf<Promise<Uint8Array>>();
      expectTypeOf(req.json<{ a: number }>()).toEqualTypeOf<Promise<{ a: number }>>();
      expectTypeOf(req.form()).toEqualTypeOf<Promise<Form>>();
      expectTypeOf(req.httpVersion).toEqualTypeOf<'1.1' | '1.0'>();
      expectTypeOf(req.signal).toEqualTypeOf<AbortSignal>();
      return null;
    });
    app.get('/any', async () => new Response('x'));
    expectTypeOf<UploadedFile['bytes']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<string>().toMatchTypeOf<HandlerResult>();
    expectTypeOf(app.listen()).toEqualTypeOf<Promise<ListeningApp>>();
  });

  it('rejects handlers that are not functions and unknown params', () => {
    const app = new App();
    // @ts-expect-error a handler must be a function
    expect(() => app.get('/x', 'text')).toThrow();
    app.get('/y/:id', (req) => {
      // @ts-expect-error no such param
      void req.params.other;
      return '';
    });
  });

  it('carries extensions through the chain', () => {
    const app = new App().extend('n', { get: () => 1 }).extend('twice', (req, k: number) => req.n * k * 2);
    app.get('/', (req) => {
      expectTypeOf(req.n).toEqualTypeOf<number>();
      expectTypeOf(req.twice).parameters.toEqualTypeOf<[number]>();
      return req.twice(3);
    });
    app.onError(RangeError, (err, req) => {
      expectTypeOf(err).toEqualTypeOf<RangeError>();
      expectTypeOf(req.n).toEqualTypeOf<number>();
      return null;
    });
  });
});
