import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { App, HttpError, mapResponse, Response } from '../src/index.js';
import { inject, rawRequest, startTestServer, type TestServer } from './support/testing.js';
import { tracer } from './support/tracer.js';
import { TRANSPORTS } from './support/transports.js';

describe('middleware', () => {
  it('runs in onion order around the handler, sync without a promise', async () => {
    const app = new App({ logger: false });
    const log: string[] = [];
    app.use(tracer(log, 'a'), tracer(log, 'b'));
    let handlerResult: unknown;
    app.use((_req, next) => {
      handlerResult = next();
      return handlerResult as string;
    });
    app.get('/', () => {
      log.push('h');
      return 'ok';
    });
    const res = await inject(app, '/');
    expect([res.status, res.text()]).toEqual([200, 'ok']);
    expect(log).toEqual(['a>', 'b>', 'h', '<b', '<a']);
    expect(handlerResult).toBe('ok'); // next() returned the plain value: no promise on the sync path
  });

  it('a middleware may answer without calling next (short-circuit)', async () => {
    const app = new App({ logger: false });
    const log: string[] = [];
    app.use(tracer(log, 'outer'));
    app.use((req, next) => (req.header('authorization') === undefined ? new Response('Unauthorized', { status: 401 }) : next()));
    app.use(tracer(log, 'inner'));
    app.get('/', () => {
      log.push('h');
      return 'ok';
    });
    expect((await inject(app, '/')).status).toBe(401);
    expect(log).toEqual(['outer>', '<outer']);
    expect((await inject(app, { url: '/', headers: { authorization: 'x' } })).status).toBe(200);
  });

  it('async middleware wraps async handlers in order and may change the response', async () => {
    const app = new App({ logger: false });
    const log: string[] = [];
    app.use(async (_req, next) => {
      log.push('a>');
      await new Promise((r) => setImmediate(r));
      const res = await next();
      log.push('<a');
      return mapResponse(res, (r) => {
        r.headers.set('x-a', '1');
      });
    });
    app.use(tracer(log, 'b'));
    app.get('/', async () => {
      await Promise.resolve();
      log.push('h');
      return { ok: true };
    });
    const res = await inject(app, '/');
    expect(res.json()).toEqual({ ok: true });
    expect(res.headers['x-a']).toBe('1');
    expect(log).toEqual(['a>', 'b>', '<b', 'h', '<a']);
  });

  it('runs for 404 and 405 answers, so it can answer a preflight', async () => {
    const app = new App({ logger: false });
    const seen: string[] = [];
    app.use((req, next) => {
      seen.push(`${req.method} ${req.path} route=${req.route}`);
      if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: { 'x-pre': 'y' } });
      return mapResponse(next(), (res) => {
        res.headers.set('x-mw', String(res.status));
      });
    });
    app.get('/a', () => 'a');
    const notFound = await inject(app, '/nope');
    expect([notFound.status, notFound.headers['x-mw']]).toEqual([404, '404']);
    const wrongMethod = await inject(app, { method: 'POST', url: '/a' });
    expect([wrongMethod.status, wrongMethod.headers['x-mw'], wrongMethod.headers['allow']]).toEqual([405, '405', 'GET, HEAD']);
    const pre = await inject(app, { method: 'OPTIONS', url: '/a' });
    expect([pre.status, pre.headers['x-pre']]).toEqual([204, 'y']);
    expect(seen).toEqual(['GET /nope route=', 'POST /a route=', 'OPTIONS /a route=']);
  });

  it('next() returns the error response (thrown or rejected below), so outer middleware sees it', async () => {
    const app = new App({ logger: false });
    app.onError(RangeError, () => new Response('range', { status: 422 }));
    const statuses: number[] = [];
    app.use((_req, next) =>
      mapResponse(next(), (res) => {
        statuses.push(res.status);
        res.headers.set('x-seen', 'yes');
      }),
    );
    app.get('/sync', () => {
      throw new RangeError('x');
    });
    app.get('/async', async () => {
      throw new HttpError(403, 'no');
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    const a = await inject(app, '/sync');
    const b = await inject(app, '/async');
    const c = await inject(app, '/boom');
    expect([a.status, a.text(), a.headers['x-seen']]).toEqual([422, 'range', 'yes']);
    expect([b.status, b.headers['x-seen']]).toEqual([403, 'yes']);
    expect([c.status, c.headers['x-seen']]).toEqual([500, 'yes']);
    expect(statuses).toEqual([422, 403, 500]);
  });

  it('a throwing middleware, or one calling next twice, is a 500 and the batch goes on', async () => {
    const errors: unknown[] = [];
    const app = new App({ logger: { error: (o) => errors.push(o.err), warn() {}, info() {} } });
    app.use((req, next) => {
      if (req.path === '/throw') throw new Error('mw');
      if (req.path === '/twice') {
        next();
        return next();
      }
      return next();
    });
    app.get('/throw', () => 'x');
    app.get('/twice', () => 'x');
    app.get('/ok', () => 'ok');
    expect((await inject(app, '/throw')).status).toBe(500);
    expect((await inject(app, '/twice')).status).toBe(500);
    expect((await inject(app, '/ok')).text()).toBe('ok');
    expect(errors.map((e) => (e as Error).message)).toEqual(['mw', 'next() was called more than once by the same middleware']);
  });

  it('is typed with the app extensions', () => {
    const app = new App().extend('user', { get: () => ({ name: 'ann' }) });
    app.use((req, next) => {
      expectTypeOf(req.user.name).toEqualTypeOf<string>();
      return next();
    });
  });
});

describe('groups, mounting and route options', () => {
  it('group middleware runs only for the group, inside the app middleware, with typed prefix params', async () => {
    const app = new App({ logger: false });
    const log: string[] = [];
    app.use(tracer(log, 'app'));
    app.group('/users/:uid', (g) => {
      g.use(tracer(log, 'group'));
      g.get('/', (req) => `user ${req.params.uid}`);
      g.get('/posts/:pid', (req) => {
        expectTypeOf(req.params).toEqualTypeOf<{ uid: string; pid: string }>();
        return `${req.params.uid}/${req.params.pid}`;
      });
      g.group('/admin', (admin) => {
        admin.use(tracer(log, 'admin'));
        admin.get('/x', (req) => `admin ${req.params.uid}`);
      });
    });
    app.get('/other', () => 'other');
    expect((await inject(app, '/users/7')).text()).toBe('user 7');
    expect((await inject(app, '/users/7/posts/9')).text()).toBe('7/9');
    expect(log.splice(0)).toEqual(['app>', 'group>', '<group', '<app', 'app>', 'group>', '<group', '<app']);
    expect((await inject(app, '/users/7/admin/x')).text()).toBe('admin 7');
    expect(log.splice(0)).toEqual(['app>', 'group>', 'admin>', '<admin', '<group', '<app']);
    expect((await inject(app, '/other')).text()).toBe('other');
    expect(log.splice(0)).toEqual(['app>', '<app']);
  });

  it('a mounted app keeps its middleware, hooks and error handlers to its own routes', async () => {
    class Teapot extends Error {}
    const log: string[] = [];
    const v1 = new App({ logger: false }).extend('version', { get: () => 'v1' });
    v1.use(tracer(log, 'v1'));
    v1.onRequest((req) => {
      log.push(`v1 hook ${req.path}`);
    });
    v1.onResponse((_req, res) => {
      res.headers.set('x-api', 'v1');
    });
    v1.onError(Teapot, () => new Response('teapot', { status: 418 }));
    v1.get('/items/:id', (req) => `${req.version} item ${req.params['id']}`);
    v1.get('/tea', () => {
      throw new Teapot();
    });
    v1.get('/range', () => {
      throw new RangeError('r');
    });
    const app = new App({ logger: false });
    app.onError(RangeError, () => new Response('parent handled', { status: 400 }));
    app.mount('/v1', v1);
    app.get('/v2/items/:id', () => 'v2');
    const a = await inject(app, '/v1/items/3');
    expect([a.text(), a.headers['x-api']]).toEqual(['v1 item 3', 'v1']);
    expect(log.splice(0)).toEqual(['v1>', 'v1 hook /v1/items/3', '<v1']);
    const b = await inject(app, '/v2/items/3');
    expect([b.text(), b.headers['x-api']]).toEqual(['v2', undefined]);
    expect(log).toEqual([]); // a hook of /v1 never runs for /v2
    expect([(await inject(app, '/v1/tea')).status, (await inject(app, '/v2/tea')).status]).toEqual([418, 404]);
    const r = await inject(app, '/v1/range');
    expect([r.status, r.text(), r.headers['x-api']]).toEqual([400, 'parent handled', 'v1']);
  });

  it("an app written for a prefix (App<Ext, '/users/:uid'>) sees the prefix's params, typed, once mounted", async () => {
    const posts = new App<{}, '/users/:uid'>({ logger: false });
    posts.get('/posts/:pid', (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ uid: string; pid: string }>();
      return `${req.params.uid}/${req.params.pid}`;
    });
    posts.group('/drafts', (g) =>
      g.get('/:did', (req) => {
        expectTypeOf(req.params).toEqualTypeOf<{ uid: string; did: string }>();
        return `draft ${req.params.uid}/${req.params.did}`;
      }),
    );
    const app = new App({ logger: false });
    app.mount('/users/:uid', posts);
    expect((await inject(app, '/users/ann/posts/9')).text()).toBe('ann/9');
    expect((await inject(app, '/users/bob/drafts/3')).text()).toBe('draft bob/3');
  });

  it('mounting two apps extending the request with the same name throws', () => {
    const a = new App().extend('x', () => 1);
    const b = new App().extend('x', () => 2);
    const app = new App();
    app.mount('/a', a);
    expect(() => app.mount('/b', b)).toThrow(/both apps extend the request with "x"/);
    expect(() => app.group('v1/', () => {})).toThrow(/Invalid prefix/);
  });

  it('per-route options: middleware, hooks and a body limit for one route', async () => {
    const app = new App({ logger: false });
    const log: string[] = [];
    app.post('/small', async (req) => `got ${(await req.text()).length}`, {
      maxBodyBytes: 4,
      use: tracer(log, 'route'),
      onRequest: (req) => (req.header('x-deny') !== undefined ? new Response('denied', { status: 403 }) : undefined),
      onResponse: (_req, res) => void res.headers.set('x-route', 'small'),
    });
    app.post('/big', async (req) => `got ${(await req.text()).length}`);
    const ok = await inject(app, { method: 'POST', url: '/small', body: 'abcd' });
    expect([ok.status, ok.text(), ok.headers['x-route']]).toEqual([200, 'got 4', 'small']);
    const tooBig = await inject(app, { method: 'POST', url: '/small', body: 'abcde' });
    expect([tooBig.status, tooBig.headers['x-route']]).toEqual([413, 'small']);
    const denied = await inject(app, { method: 'POST', url: '/small', body: 'a', headers: { 'x-deny': '1' } });
    expect([denied.status, denied.text()]).toEqual([403, 'denied']);
    expect((await inject(app, { method: 'POST', url: '/big', body: 'abcdefgh' })).text()).toBe('got 8');
    expect(log).toEqual(['route>', '<route', 'route>', '<route', 'route>', '<route']);
    expect(() => app.get('/bad', () => 'x', { maxBodyBytes: -1 })).toThrow(RangeError);
  });
});

describe.each(TRANSPORTS)('middleware over real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('middleware added after the server started applies from then on (same dispatcher)', async () => {
    const app = new App({ transport, logger: false });
    app.get('/', () => 'ok');
    server = await startTestServer(app);
    const before = await fetch(`${server.url}/`);
    expect([await before.text(), before.headers.get('x-late')]).toEqual(['ok', null]);
    app.use((_req, next) => mapResponse(next(), (r) => void r.headers.set('x-late', '1')));
    const after = await fetch(`${server.url}/`);
    expect([await after.text(), after.headers.get('x-late')]).toEqual(['ok', '1']);
  });

  it('pipelined requests through sync and async middleware, groups and misses answer in order', async () => {
    const app = new App({ transport, logger: false });
    app.use((req, next) => mapResponse(next(), (res) => void res.headers.set('x-path', req.path)));
    app.use(async (req, next) => (req.query.get('deny') !== null ? new Response('no', { status: 401 }) : next()));
    app.group('/v1', (g) => {
      g.use((_req, next) => mapResponse(next(), (res) => void res.headers.set('x-group', 'v1')));
      g.get('/a/:n', async (req) => `a${req.params.n}`);
    });
    app.get('/', () => 'root');
    server = await startTestServer(app);
    const paths = ['/', '/v1/a/1', '/nope', '/v1/a/2?deny', '/', '/v1/a/3'];
    const raw = paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: t\r\n\r\n`).join('');
    const { responses } = await rawRequest(server.port, raw, { responses: paths.length });
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 401, 200, 200]);
    expect(responses.map((r) => r.text())).toEqual(['root', 'a1', 'Not Found', 'no', 'root', 'a3']);
    expect(responses.map((r) => r.headers['x-path'])).toEqual(['/', '/v1/a/1', '/nope', '/v1/a/2', '/', '/v1/a/3']);
    expect(responses.map((r) => r.headers['x-group'] ?? '-')).toEqual(['-', 'v1', '-', '-', '-', 'v1']);
  });
});
