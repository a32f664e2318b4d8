import { describe, expect, expectTypeOf, it } from 'vitest';
import { App, Response, type Request } from '../src/index.js';
import { inject } from './support/testing.js';

describe('hooks', () => {
  it('onRequest runs before the handler and may answer instead', async () => {
    const app = new App();
    const seen: string[] = [];
    app.onRequest((req) => {
      seen.push(`hook ${req.path} ${req.params['id'] ?? '-'}`);
    });
    app.onRequest((req) => (req.header('authorization') === undefined ? new Response('Unauthorized', { status: 401 }) : undefined));
    app.get('/items/:id', (req) => {
      seen.push('handler');
      return req.params.id;
    });
    const denied = await inject(app, '/items/3');
    expect([denied.status, denied.text()]).toEqual([401, 'Unauthorized']);
    const ok = await inject(app, { url: '/items/4', headers: { authorization: 'x' } });
    expect([ok.status, ok.text()]).toEqual([200, '4']);
    expect(seen).toEqual(['hook /items/3 3', 'hook /items/4 4', 'handler']);
  });

  it('async onRequest hooks run in order before the handler', async () => {
    const app = new App();
    const order: string[] = [];
    app.onRequest(async () => {
      await new Promise((r) => setImmediate(r));
      order.push('a');
    });
    app.onRequest(() => {
      order.push('b');
    });
    app.onRequest(async (req) => (req.query.get('stop') !== null ? 'stopped' : undefined));
    app.get('/', async () => {
      order.push('h');
      return 'done';
    });
    expect((await inject(app, '/')).text()).toBe('done');
    expect((await inject(app, '/?stop')).text()).toBe('stopped');
    expect(order).toEqual(['a', 'b', 'h', 'a', 'b']);
  });

  it('a throwing hook goes through the error handlers', async () => {
    const app = new App({ logger: false });
    app.onRequest(() => {
      throw new RangeError('hook');
    });
    app.onError(RangeError, (e) => new Response(e.message, { status: 400 }));
    app.get('/', () => 'never');
    const res = await inject(app, '/');
    expect([res.status, res.text()]).toEqual([400, 'hook']);
  });

  it('onResponse sees every response (404s and errors too) and may change it', async () => {
    const app = new App({ logger: false });
    const statuses: number[] = [];
    app.onResponse((req, res) => {
      statuses.push(res.status);
      res.headers.set('x-path', req.path);
    });
    app.onResponse((_req, res) => (res.status === 404 ? Response.json({ error: 'not found' }, { status: 404 }) : undefined));
    app.get('/', () => 'hi');
    app.get('/obj', async () => ({ a: 1 }));
    app.get('/boom', () => {
      throw new Error('x');
    });
    const a = await inject(app, '/');
    expect([a.text(), a.headers['x-path'], a.headers['content-type']]).toEqual(['hi', '/', 'text/plain; charset=utf-8']);
    const b = await inject(app, '/obj');
    expect([b.json(), b.headers['x-path'], b.headers['content-type']]).toEqual([{ a: 1 }, '/obj', 'application/json']);
    const c = await inject(app, '/nope');
    expect([c.status, c.json(), c.headers['x-path']]).toEqual([404, { error: 'not found' }, undefined]);
    const d = await inject(app, '/boom');
    expect([d.status, d.headers['x-path']]).toEqual([500, '/boom']);
    expect(statuses).toEqual([200, 200, 404, 500]);
  });

  it('a throwing onResponse hook gives a 500 (once, no loop)', async () => {
    const app = new App({ logger: false });
    app.onResponse(() => {
      throw new Error('hook broke');
    });
    app.get('/', () => 'hi');
    expect((await inject(app, '/')).status).toBe(500);
  });
});

describe('extend', () => {
  it('adds typed methods and lazy properties, computed once per request', async () => {
    let computed = 0;
    const app = new App()
      .extend('user', {
        get: (req) => {
          computed++;
          return { name: req.header('x-user') ?? 'anonymous' };
        },
      })
      .extend('greet', (req, greeting: string) => `${greeting}, ${req.user.name}!`);
    app.get('/', (req) => {
      expectTypeOf(req.user).toEqualTypeOf<{ name: string }>();
      expectTypeOf(req.greet).toEqualTypeOf<(greeting: string) => string>();
      return [req.greet('Hello'), req.user.name, req.greet('Bye')];
    });
    expect((await inject(app, { url: '/', headers: { 'x-user': 'Ana' } })).json()).toEqual(['Hello, Ana!', 'Ana', 'Bye, Ana!']);
    expect((await inject(app, '/')).json()).toEqual(['Hello, anonymous!', 'anonymous', 'Bye, anonymous!']);
    expect(computed).toBe(2);
  });

  it('extensions work in async handlers, error handlers and hooks', async () => {
    const app = new App({ logger: false }).extend('lang', { get: (req) => req.query.get('lang') ?? 'en' });
    app.onRequest((req) => (req.lang === 'xx' ? 'unsupported' : undefined));
    app.onError(Error, (_e, req) => `error in ${req.lang}`);
    app.get('/', async (req) => {
      await new Promise((r) => setImmediate(r));
      return req.lang;
    });
    app.get('/boom', () => {
      throw new Error('x');
    });
    expect((await inject(app, '/?lang=pt')).text()).toBe('pt');
    expect((await inject(app, '/?lang=xx')).text()).toBe('unsupported');
    expect((await inject(app, '/boom?lang=de')).text()).toBe('error in de');
  });

  it('refuses names that are taken', () => {
    const app = new App().extend('x', { get: () => 1 });
    expect(() => app.extend('x', { get: () => 2 })).toThrow(TypeError);
    expect(() => new App().extend('headers', { get: () => 1 })).toThrow(TypeError);
    expect(() => new App().extend('method', () => 1)).toThrow(TypeError);
    expect(() => new App().extend('json', () => 1)).toThrow(TypeError);
    expect(() => new App().extend('y', 5 as never)).toThrow(TypeError);
  });

  it('keeps extensions per app', async () => {
    const a = new App().extend('who', { get: () => 'a' });
    const b = new App();
    a.get('/', (req) => req.who);
    b.get('/', (req) => String((req as Request & { who?: string }).who));
    expect((await inject(a, '/')).text()).toBe('a');
    expect((await inject(b, '/')).text()).toBe('undefined');
  });
});

describe('routes', () => {
  it('route() takes several methods; all() any method; explicit head()', async () => {
    const app = new App();
    app.route(['GET', 'POST'], '/both', (req) => req.method);
    app.all('/any', (req) => `any ${req.method}`);
    app.put('/put', () => 'put');
    app.patch('/patch', () => 'patch');
    app.delete('/del', () => 'del');
    app.options('/opt', () => new Response(null, { status: 204, headers: { allow: 'GET' } }));
    app.get('/h', () => 'get body');
    app.head('/h', () => new Response(null, { headers: { 'x-head': 'own' } }));
    const r = async (method: string, url: string) => {
      const res = await inject(app, { method, url });
      return [res.status, res.text()];
    };
    expect(await r('GET', '/both')).toEqual([200, 'GET']);
    expect(await r('POST', '/both')).toEqual([200, 'POST']);
    expect(await r('PUT', '/both')).toEqual([405, 'Method Not Allowed']);
    expect(await r('MKCOL', '/any')).toEqual([200, 'any MKCOL']);
    expect(await r('PUT', '/put')).toEqual([200, 'put']);
    expect(await r('PATCH', '/patch')).toEqual([200, 'patch']);
    expect(await r('DELETE', '/del')).toEqual([200, 'del']);
    expect(await r('OPTIONS', '/opt')).toEqual([204, '']);
    const head = await inject(app, { method: 'HEAD', url: '/h' });
    expect(head.headers['x-head']).toBe('own');
    expect(() => app.get('/both', () => 'dup')).toThrow();
    expect(() => app.get('/x', 'not a function' as never)).toThrow(TypeError);
  });

  it('types params from the path literal', () => {
    const app = new App();
    app.get('/a/:x/{y}', (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ x: string; y: string }>();
      return null;
    });
    app.get('/plain', (req) => {
      // @ts-expect-error no params on this route
      void req.params.nope;
      return null;
    });
  });
});

describe('hooks with every result kind', () => {
  it('onResponse sees null, bytes and Web Responses as jato Responses', async () => {
    const app = new App();
    const seen: Array<[number, string | null]> = [];
    app.onResponse((_req, res) => {
      seen.push([res.status, res.contentType]);
    });
    app.get('/null', () => null);
    app.get('/bytes', () => new Uint8Array([1]));
    app.get('/web', () => new globalThis.Response('w', { status: 201 }));
    expect((await inject(app, '/null')).status).toBe(204);
    expect((await inject(app, '/bytes')).body.length).toBe(1);
    expect((await inject(app, '/web')).text()).toBe('w');
    expect(seen).toEqual([[204, null], [200, 'application/octet-stream'], [201, 'text/plain;charset=UTF-8']]);
  });
});
