/**
 * Japronto's tutorial examples (hello, async, router, request, response, exceptions, extend),
 * rewritten for jato and checked through inject.
 */
import { describe, expect, it } from 'vitest';
import { App, HttpError, Response } from '../src/index.js';
import { inject } from './support/testing.js';

describe('tutorial: hello', () => {
  it('answers Hello world!', async () => {
    const app = new App();
    app.get('/', () => 'Hello world!');
    const res = await inject(app, '/');
    expect([res.status, res.text(), res.headers['content-type']]).toEqual([200, 'Hello world!', 'text/plain; charset=utf-8']);
  });
});

describe('tutorial: async', () => {
  it('mixes a sync and an async handler that awaits several times', async () => {
    const app = new App();
    app.get('/sync', () => 'This is a synchronous response');
    app.get('/async', async () => {
      const ticks: number[] = [];
      for (let i = 1; i <= 3; i++) {
        await new Promise((r) => setTimeout(r, 1));
        ticks.push(i);
      }
      return `${ticks.join(' ')}: this is an asynchronous response`;
    });
    expect((await inject(app, '/sync')).text()).toBe('This is a synchronous response');
    expect((await inject(app, '/async')).text()).toBe('1 2 3: this is an asynchronous response');
  });
});

describe('tutorial: router', () => {
  const app = new App();
  app.get('/', () => 'Hello from the root');
  app.get('/love/:what', (req) => `I love ${req.params.what}`);
  app.get('/get', () => 'Answering GET only');
  app.route(['POST', 'DELETE'], '/methods', (req) => `You used ${req.method}`);

  it('routes by path, params and method', async () => {
    expect((await inject(app, '/')).text()).toBe('Hello from the root');
    expect((await inject(app, '/love/chocolate%20cake')).text()).toBe('I love chocolate cake');
    expect((await inject(app, '/get')).text()).toBe('Answering GET only');
    expect((await inject(app, { method: 'POST', url: '/get' })).status).toBe(405);
    expect((await inject(app, { method: 'DELETE', url: '/methods' })).text()).toBe('You used DELETE');
    expect((await inject(app, { method: 'POST', url: '/methods' })).text()).toBe('You used POST');
    const get = await inject(app, '/methods');
    expect([get.status, get.headers['allow']]).toEqual([405, 'DELETE, POST']);
    expect((await inject(app, '/love')).status).toBe(404);
  });
});

describe('tutorial: request', () => {
  const app = new App();
  app.all('/basic/:id', (req) => ({
    method: req.method,
    path: req.path,
    version: req.httpVersion,
    keepAlive: req.keepAlive,
    params: req.params,
    route: req.route,
    queryString: req.queryString,
    query: Object.fromEntries(req.query),
    headers: { agent: req.headers['user-agent'], accept: req.header('Accept') },
    cookies: req.cookies,
    hostname: req.hostname,
    port: req.port,
  }));
  app.post('/body', async (req) => {
    const type = req.header('content-type') ?? '';
    if (type.startsWith('application/json')) return { json: await req.json() };
    if (type.startsWith('text/')) return { text: await req.text() };
    const form = await req.form();
    return { fields: form.toObject(), files: form.files.map((f) => [f.name, f.filename, f.type, f.text()]) };
  });

  it('shows the basic request attributes', async () => {
    const res = await inject(app, {
      method: 'PUT',
      url: '/basic/12?x=1&y=2&y=3',
      headers: { host: 'jato.test:8080', 'user-agent': 'curl/8', accept: '*/*', cookie: 'flavour=oat; n=1' },
    });
    expect(res.json()).toEqual({
      method: 'PUT', path: '/basic/12', version: '1.1', keepAlive: true, params: { id: '12' }, route: '/basic/:id',
      queryString: 'x=1&y=2&y=3', query: { x: '1', y: '3' }, headers: { agent: 'curl/8', accept: '*/*' },
      cookies: { flavour: 'oat', n: '1' }, hostname: 'jato.test', port: 8080,
    });
  });

  it('reads bodies as text, JSON, forms and files', async () => {
    expect((await inject(app, { method: 'POST', url: '/body', headers: { 'content-type': 'text/plain' }, body: 'plain' })).json()).toEqual({ text: 'plain' });
    expect((await inject(app, { method: 'POST', url: '/body', body: { a: [1, 2] } })).json()).toEqual({ json: { a: [1, 2] } });
    expect(
      (await inject(app, { method: 'POST', url: '/body', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Jo&x=1&x=2' })).json(),
    ).toEqual({ fields: { name: 'Jo', x: ['1', '2'] }, files: [] });
    const multipart =
      '--B\r\nContent-Disposition: form-data; name="comment"\r\n\r\nnice\r\n' +
      '--B\r\nContent-Disposition: form-data; name="pic"; filename="cat.txt"\r\nContent-Type: text/plain\r\n\r\nmeow\r\n--B--\r\n';
    expect(
      (await inject(app, { method: 'POST', url: '/body', headers: { 'content-type': 'multipart/form-data; boundary=B' }, body: multipart })).json(),
    ).toEqual({ fields: { comment: 'nice' }, files: [['pic', 'cat.txt', 'text/plain', 'meow']] });
  });
});

describe('tutorial: response', () => {
  const app = new App();
  app.get('/text', () => new Response('Hello world!'));
  app.get('/json', () => Response.json({ hello: 'world' }));
  app.get('/mime', () => new Response('<b>bold</b>', { type: 'text/html' }));
  app.get('/code', () => new Response('Not here', { status: 404 }));
  app.get('/headers', () => new Response('x', { headers: { 'X-Header': 'Value', 'Refresh': '5; url=/' } }));
  app.get('/cookies', () =>
    new Response('cookies set')
      .cookie('name', 'value', { path: '/', maxAge: 60 })
      .cookie('other', 'thing', { secure: true, httpOnly: true, sameSite: 'Strict' }));
  app.get('/charset', () => new Response('ascii only', { charset: 'us-ascii' }));
  app.get('/bytes', () => new Uint8Array([0xde, 0xad, 0xbe, 0xef]));

  it('builds every kind of response', async () => {
    expect((await inject(app, '/text')).text()).toBe('Hello world!');
    const j = await inject(app, '/json');
    expect([j.headers['content-type'], j.json()]).toEqual(['application/json', { hello: 'world' }]);
    expect((await inject(app, '/mime')).headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await inject(app, '/code')).status).toBe(404);
    const h = await inject(app, '/headers');
    expect([h.headers['x-header'], h.headers['refresh']]).toEqual(['Value', '5; url=/']);
    expect((await inject(app, '/cookies')).headerValues('set-cookie')).toEqual([
      'name=value; Max-Age=60; Path=/', 'other=thing; Secure; HttpOnly; SameSite=Strict',
    ]);
    expect((await inject(app, '/charset')).headers['content-type']).toBe('text/plain; charset=us-ascii');
    expect([...(await inject(app, '/bytes')).body]).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });
});

describe('tutorial: exceptions', () => {
  class KittyError extends Error {
    readonly greet = 'meow';
  }
  class DoggieError extends Error {
    constructor(readonly bark: string) {
      super('woof');
    }
  }
  const app = new App({ logger: false });
  app.get('/kitty', () => {
    throw new KittyError();
  });
  app.get('/doggie', async () => {
    throw new DoggieError('WOOF!');
  });
  app.get('/unhandled', () => {
    throw new Error('nobody handles me');
  });
  app.get('/http', () => {
    throw new HttpError(418);
  });
  app.onError(KittyError, (err) => `Kitty says ${err.greet}`);
  app.onError(DoggieError, (err) => new Response(`Doggie says ${err.bark}`, { status: 418 }));
  app.notFound(() => new Response('Oops, nothing here', { status: 404 }));

  it('handles each error by its class', async () => {
    expect((await inject(app, '/kitty')).text()).toBe('Kitty says meow');
    const d = await inject(app, '/doggie');
    expect([d.status, d.text()]).toEqual([418, 'Doggie says WOOF!']);
    expect((await inject(app, '/unhandled')).status).toBe(500);
    const nf = await inject(app, '/nope');
    expect([nf.status, nf.text()]).toEqual([404, 'Oops, nothing here']);
    expect((await inject(app, '/http')).text()).toBe("I'm a Teapot");
  });
});

describe('tutorial: extend', () => {
  it('adds a property, a method and a done callback', async () => {
    const done: string[] = [];
    const app = new App()
      .extend('reversedAgent', { get: (req) => [...(req.header('user-agent') ?? '')].reverse().join('') })
      .extend('hostStartsWith', (req, prefix: string) => req.hostname.startsWith(prefix));
    app.onResponse((req, res) => {
      done.push(`${req.path} ${res.status}`);
    });
    app.get('/', (req) => `${req.reversedAgent} ${req.hostStartsWith('api.') ? 'api' : 'www'}`);
    const res = await inject(app, { url: '/', headers: { 'user-agent': 'jato', host: 'api.example.com' } });
    expect(res.text()).toBe('otaj api');
    expect(done).toEqual(['/ 200']);
  });
});
