import { describe, expect, it } from 'vitest';
import { App, Response } from '../src/index.js';
import { inject, injectAll } from './support/testing.js';

const DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function app1(handler: () => unknown, options = {}) {
  const app = new App({ logger: false, ...options });
  app.get('/', handler as never);
  return app;
}

describe('handler results', () => {
  it('string → 200 text/plain with Date, Server and Content-Length', async () => {
    const res = await inject(app1(() => 'héllo'), '/');
    expect(res.status).toBe(200);
    expect(res.statusText).toBe('OK');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-length']).toBe('6');
    expect(res.headers['server']).toBe('jato');
    expect(res.headers['date']).toMatch(DATE);
    expect(res.headers['connection']).toBeUndefined();
    expect(res.text()).toBe('héllo');
  });

  it('object and array → JSON', async () => {
    const res = await inject(app1(() => ({ message: 'Hello, World!' })), '/');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text()).toBe('{"message":"Hello, World!"}');
    expect(res.headers['content-length']).toBe('27');
    expect((await inject(app1(() => [1, 'ü']), '/')).json()).toEqual([1, 'ü']);
    expect((await inject(app1(() => 42), '/')).text()).toBe('42');
    expect((await inject(app1(() => false), '/')).text()).toBe('false');
  });

  it('Uint8Array and ArrayBuffer → application/octet-stream', async () => {
    const res = await inject(app1(() => new Uint8Array([1, 2, 3])), '/');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect([...res.body]).toEqual([1, 2, 3]);
    expect([...(await inject(app1(() => new Uint8Array([9]).buffer), '/')).body]).toEqual([9]);
  });

  it('null and undefined → 204 without Content-Type or Content-Length', async () => {
    for (const v of [null, undefined]) {
      const res = await inject(app1(() => v), '/');
      expect(res.status).toBe(204);
      expect(res.headers['content-type']).toBeUndefined();
      expect(res.headers['content-length']).toBeUndefined();
      expect(res.headers['date']).toMatch(DATE);
    }
  });

  it('a jato Response keeps status, headers and cookies', async () => {
    const res = await inject(
      app1(() =>
        new Response('<h1>made</h1>', { status: 201, type: 'text/html', headers: { 'X-Multi': ['a', 'b'], Location: '/x' } })
          .cookie('a', '1', { httpOnly: true })
          .cookie('b', '2'),
      ),
      '/',
    );
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Created');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headerValues('x-multi')).toEqual(['a', 'b']);
    expect(res.headerValues('set-cookie')).toEqual(['a=1; HttpOnly', 'b=2']);
    expect(res.headers['location']).toBe('/x');
    expect(res.headers['content-length']).toBe('13');
    expect(res.text()).toBe('<h1>made</h1>');
  });

  it('framing headers are jato\'s; Server and Date may be overridden; custom status text', async () => {
    const res = await inject(
      app1(() => new Response('abc', { statusText: 'Fine', headers: { 'content-length': '99', 'transfer-encoding': 'chunked', server: 'mine', date: 'x' } })),
      '/',
    );
    expect(res.statusText).toBe('Fine');
    expect(res.headers['content-length']).toBe('3');
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headerValues('server')).toEqual(['mine']);
    expect(res.headerValues('date')).toEqual(['x']);
  });

  it('a Response asking for Connection: close closes the connection', async () => {
    const app = new App();
    app.get('/bye', () => new Response('bye', { headers: { connection: 'close' } }));
    app.get('/', () => 'hi');
    const all = await injectAll(app, 'GET /bye HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(all.length).toBe(1);
    expect(all[0]!.headers['connection']).toBe('close');
  });

  it('redirects', async () => {
    const res = await inject(app1(() => Response.redirect('/there', 307)), '/');
    expect([res.status, res.headers['location'], res.headers['content-length']]).toEqual([307, '/there', '0']);
  });

  it('a Web-standard Response is accepted', async () => {
    const web = () => {
      const h = new globalThis.Headers({ 'content-type': 'text/x-web', 'x-w': '1' });
      h.append('set-cookie', 'a=1');
      h.append('set-cookie', 'b=2');
      return new globalThis.Response('from web ✓', { status: 202, headers: h });
    };
    const res = await inject(app1(web), '/');
    expect(res.status).toBe(202);
    expect(res.headers['content-type']).toBe('text/x-web');
    expect(res.headers['x-w']).toBe('1');
    expect(res.headerValues('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(res.text()).toBe('from web ✓');
    const empty = await inject(app1(() => new globalThis.Response(null, { status: 204 })), '/');
    expect(empty.status).toBe(204);
  });

  it('async handlers return the same kinds', async () => {
    const cases: Array<[unknown, number, string]> = [
      ['text', 200, 'text'],
      [{ a: 1 }, 200, '{"a":1}'],
      [null, 204, ''],
      [new Response('made', { status: 201 }), 201, 'made'],
    ];
    for (const [v, status, body] of cases) {
      const res = await inject(app1(async () => {
        await new Promise((r) => setImmediate(r));
        return v;
      }), '/');
      expect([res.status, res.text()]).toEqual([status, body]);
    }
  });

  it('HEAD gets the GET headers with the GET Content-Length and no body', async () => {
    const app = new App();
    app.get('/t', () => 'twelve bytes');
    app.get('/j', () => ({ a: 1 }));
    app.get('/r', () => new Response('abc', { headers: { 'x-r': '1' } }));
    app.get('/a', async () => 'async!');
    app.get('/after', () => 'after');
    const raw = ['/t', '/j', '/r', '/a'].map((p) => `HEAD ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join('') + 'GET /after HTTP/1.1\r\nHost: x\r\n\r\n';
    const all = await injectAll(app, raw, [true, true, true, true, false]);
    expect(all.map((r) => [r.status, r.headers['content-length'], r.body.length])).toEqual([
      [200, '12', 0], [200, '7', 0], [200, '3', 0], [200, '6', 0], [200, '5', 5],
    ]);
    expect(all[2]!.headers['x-r']).toBe('1');
    expect(all[4]!.text()).toBe('after');
  });

  it('pipelined requests mixing sync and async answer in order', async () => {
    const app = new App();
    let n = 0;
    app.get('/sync', () => `s${n++}`);
    app.get('/slow', async () => {
      const mine = n++;
      await new Promise((r) => setTimeout(r, 5));
      return `a${mine}`;
    });
    const raw = ['/slow', '/sync', '/slow', '/sync'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
    const all = await injectAll(app, raw);
    expect(all.map((r) => r.text())).toEqual(['a0', 's1', 'a2', 's3']);
  });

  it('Connection: close and HTTP/1.0 keep-alive are answered', async () => {
    const app = app1(() => 'x');
    const close = await inject(app, { url: '/', headers: { connection: 'close' } });
    expect(close.headers['connection']).toBe('close');
    const ka10 = await inject(app, { url: '/', http10: true, headers: { connection: 'keep-alive' } });
    expect(ka10.headers['connection']).toBe('keep-alive');
    const plain10 = await inject(app, { url: '/', http10: true });
    expect(plain10.headers['connection']).toBe('close');
    const json = await inject(app1(() => ({})), { url: '/', headers: { connection: 'close' } });
    expect(json.headers['connection']).toBe('close');
  });

  it('serverName sets (or removes) the Server header', async () => {
    expect((await inject(app1(() => 'x', { serverName: 'acme' }), '/')).headers['server']).toBe('acme');
    expect((await inject(app1(() => 'x', { serverName: '' }), '/')).headers['server']).toBeUndefined();
  });

  it('a value that cannot be sent is a 500', async () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect((await inject(app1(() => circular), '/')).status).toBe(500);
    expect((await inject(app1(() => Symbol('x')), '/')).status).toBe(500);
    expect((await inject(app1(() => 10n), '/')).status).toBe(500);
  });
});
