import { describe, expect, it } from 'vitest';
import { App, type Request } from '../src/index.js';
import { inject } from './support/testing.js';

/** An app whose only route answers with `pick(req)` as JSON. */
function echo<T>(pick: (req: Request) => T | Promise<T>, path = '/r', options = {}) {
  const app = new App({ logger: false, ...options });
  app.all(path, async (req) => ({ value: await pick(req) }));
  return app;
}

async function value(app: App, req: Parameters<typeof inject>[1]): Promise<unknown> {
  const res = await inject(app, req);
  expect(res.status, res.text()).toBe(200);
  return res.json<{ value: unknown }>().value;
}

describe('Request', () => {
  it('exposes method, url, path and query string', async () => {
    const app = echo((r) => [r.method, r.url, r.path, r.queryString, r.route]);
    expect(await value(app, { method: 'PATCH', url: '/r?a=1&b=%20x' })).toEqual(['PATCH', '/r?a=1&b=%20x', '/r', 'a=1&b=%20x', '/r']);
    expect(await value(app, { method: 'PURGE', url: '/r' })).toEqual(['PURGE', '/r', '/r', '', '/r']);
  });

  it('parses the query, keeping repeated keys', async () => {
    const app = echo((r) => [r.query.get('q'), r.query.getAll('tag'), r.query.get('none'), r.query.get('sp')]);
    expect(await value(app, { url: '/r?q=caf%C3%A9&tag=a&tag=b&sp=a+b' })).toEqual(['café', ['a', 'b'], null, 'a b']);
  });

  it('gives headers case-insensitively and keeps repeated ones', async () => {
    const app = echo((r) => [
      r.headers['x-one'], r.header('X-ONE'), r.headers['x-many'], r.headerValues('x-Many'), r.header('absent'),
      r.rawHeaders.filter(([n]) => n.startsWith('X-')),
    ]);
    const res = await value(app, { url: '/r', headers: [['X-One', '1'], ['X-Many', 'a'], ['x-many', 'b']] });
    expect(res).toEqual(['1', '1', 'a, b', ['a', 'b'], null, [['X-One', '1'], ['X-Many', 'a']]]);
  });

  it('decodes typed params', async () => {
    const app = new App();
    app.get('/users/:id/files/*rest', (req) => {
      const id: string = req.params.id;
      const rest: string = req.params.rest;
      return { id, rest };
    });
    const res = await inject(app, '/users/J%C3%B3/files/a/b%2Fc');
    expect(res.json()).toEqual({ id: 'Jó', rest: 'a/b/c' });
  });

  it('reads the body as bytes, text and JSON', async () => {
    const body = Buffer.from([0xe2, 0x82, 0xac, 0, 255]);
    expect(await value(echo(async (r) => [...(await r.bytes())]), { method: 'POST', url: '/r', body })).toEqual([...body]);
    expect(await value(echo((r) => r.text()), { method: 'POST', url: '/r', body: 'héllo' })).toBe('héllo');
    expect(await value(echo((r) => r.json()), { method: 'POST', url: '/r', body: { a: [1] } })).toEqual({ a: [1] });
    expect(await value(echo((r) => r.bodyLength), { method: 'POST', url: '/r', body: 'abc' })).toBe(3);
    expect(await value(echo(async (r) => (await r.bytes()).length), { url: '/r' })).toBe(0);
  });

  it('answers invalid JSON with a clear 400', async () => {
    const app = echo((r) => r.json());
    const bad = await inject(app, { method: 'POST', url: '/r', body: '{"a":' });
    expect(bad.status).toBe(400);
    expect(bad.text()).toMatch(/^Invalid JSON body: /);
    const empty = await inject(app, { method: 'POST', url: '/r' });
    expect(empty.status).toBe(400);
    expect(empty.text()).toBe('Invalid JSON body: the body is empty');
  });

  it('parses cookies', async () => {
    const app = echo((r) => r.cookies);
    expect(await value(app, { url: '/r', headers: { cookie: 'a=1; b="two"; c=x%20y; a=ignored; d=%zz' } })).toEqual({
      a: '1', b: 'two', c: 'x y', d: '%zz',
    });
    expect(await value(app, { url: '/r', headers: [['cookie', 'a=1'], ['cookie', 'b=2']] })).toEqual({ a: '1', b: '2' });
    expect(await value(app, { url: '/r' })).toEqual({});
  });

  it('knows keep-alive and the HTTP version', async () => {
    const app = echo((r) => [r.keepAlive, r.httpVersion]);
    expect(await value(app, { url: '/r' })).toEqual([true, '1.1']);
    expect(await value(app, { url: '/r', headers: { connection: 'close' } })).toEqual([false, '1.1']);
    expect(await value(app, { url: '/r', http10: true })).toEqual([false, '1.0']);
    expect(await value(app, { url: '/r', http10: true, headers: { connection: 'keep-alive' } })).toEqual([true, '1.0']);
  });

  it('splits hostname and port from Host', async () => {
    const app = echo((r) => [r.hostname, r.port ?? null]);
    expect(await value(app, { url: '/r', headers: { host: 'Example.COM:8080' } })).toEqual(['example.com', 8080]);
    expect(await value(app, { url: '/r', headers: { host: 'example.com' } })).toEqual(['example.com', null]);
    expect(await value(app, { url: '/r', headers: { host: '[::1]:9' } })).toEqual(['::1', 9]);
    expect(await value(app, { url: '/r', headers: { host: 'x:99999' } })).toEqual(['x', null]);
  });

  it('keeps what an async handler reads after awaiting', async () => {
    const app = new App();
    app.post('/late/:id', async (req) => {
      await new Promise((r) => setImmediate(r));
      return { id: req.params.id, q: req.query.get('q'), h: req.header('x-h'), body: await req.text(), url: req.url };
    });
    const res = await inject(app, { method: 'POST', url: '/late/7?q=1', headers: { 'x-h': 'v' }, body: 'data' });
    expect(res.json()).toEqual({ id: '7', q: '1', h: 'v', body: 'data', url: '/late/7?q=1' });
  });

  it('keeps a chunked body for an async handler', async () => {
    const app = new App();
    app.post('/c', async (req) => {
      await new Promise((r) => setImmediate(r));
      return await req.text();
    });
    const res = await inject(app, {
      method: 'POST', url: '/c', headers: { 'transfer-encoding': 'chunked' }, body: '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    });
    expect(res.text()).toBe('hello world');
  });

  it('has an abort signal that is not aborted while the client is there', async () => {
    const app = echo((r) => r.signal.aborted);
    expect(await value(app, { url: '/r' })).toBe(false);
  });
});

describe('req.form()', () => {
  const formApp = (limits?: object) =>
    echo(async (r) => {
      const form = await r.form();
      return {
        fields: form.toObject(),
        files: form.files.map((f) => ({ name: f.name, filename: f.filename, type: f.type, size: f.size, text: f.text() })),
        title: form.field('title') ?? null,
        size: form.size,
      };
    }, '/r', limits === undefined ? {} : { limits: { form: limits } });

  it('decodes urlencoded forms with repeated keys', async () => {
    const v = await value(formApp(), {
      method: 'POST', url: '/r', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'title=Hello+w%C3%B6rld&tag=a&tag=b&empty=',
    });
    expect(v).toEqual({ fields: { title: 'Hello wörld', tag: ['a', 'b'], empty: '' }, files: [], title: 'Hello wörld', size: 4 });
  });

  const multipart = (parts: string[], boundary = 'XyZ') =>
    `--${boundary}\r\n${parts.join(`\r\n--${boundary}\r\n`)}\r\n--${boundary}--\r\n`;

  it('decodes multipart fields and files', async () => {
    const body = multipart([
      'Content-Disposition: form-data; name="title"\r\n\r\nMy täxt',
      'Content-Disposition: form-data; name="doc"; filename="a b.txt"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2',
      'Content-Disposition: form-data; name="bin"; filename="x"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf\r\n\r\n',
    ]);
    const v = await value(formApp(), {
      method: 'POST', url: '/r', headers: { 'content-type': 'multipart/form-data; boundary="XyZ"' }, body,
    });
    expect(v).toEqual({
      fields: { title: 'My täxt' },
      files: [
        { name: 'doc', filename: 'a b.txt', type: 'text/plain', size: 12, text: 'line1\r\nline2' },
        { name: 'bin', filename: 'résumé.pdf', type: 'application/octet-stream', size: 0, text: '' },
      ],
      title: 'My täxt',
      size: 3,
    });
  });

  it('keeps file bytes exactly', async () => {
    const payload = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255]);
    const head = Buffer.from('--b\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n');
    const app = new App();
    app.post('/up', async (req) => (await req.form()).file('f')!.bytes);
    const res = await inject(app, {
      method: 'POST', url: '/up', headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: Buffer.concat([head, payload, Buffer.from('\r\n--b--')]),
    });
    expect(Buffer.from(res.body)).toEqual(payload);
  });

  it('answers 400 for malformed multipart, 415 for other types, 413 over limits', async () => {
    const ct = { 'content-type': 'multipart/form-data; boundary=b' };
    const cases: Array<[object, number]> = [
      [{ headers: ct, body: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated' }, 400],
      [{ headers: ct, body: 'no boundary here' }, 400],
      [{ headers: ct, body: '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--' }, 400],
      [{ headers: { 'content-type': 'multipart/form-data' }, body: '--b--' }, 400],
      [{ headers: { 'content-type': 'application/json' }, body: '{}' }, 415],
      [{ body: 'a=1' }, 415],
    ];
    for (const [req, status] of cases) {
      const res = await inject(formApp(), { method: 'POST', url: '/r', ...req });
      expect(res.status, JSON.stringify(req)).toBe(status);
    }
    const tooMany = await inject(formApp({ maxParts: 2 }), {
      method: 'POST', url: '/r', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2&c=3',
    });
    expect([tooMany.status, tooMany.text()]).toEqual([413, 'Form has more than 2 fields']);
    const bigFile = await inject(formApp({ maxFileBytes: 3 }), {
      method: 'POST', url: '/r', headers: ct,
      body: '--b\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n12345\r\n--b--',
    });
    expect(bigFile.status).toBe(413);
    const files = await inject(formApp({ maxFiles: 1 }), {
      method: 'POST', url: '/r', headers: ct,
      body: multipart(['Content-Disposition: form-data; name="f"; filename="x"\r\n\r\n1', 'Content-Disposition: form-data; name="g"; filename="y"\r\n\r\n2'], 'b'),
    });
    expect(files.status).toBe(413);
  });
});

describe('request targets', () => {
  it('routes absolute-form targets by their path', async () => {
    const app = new App();
    app.get('/a/b', (req) => [req.url, req.path, req.query.get('x')]);
    app.get('/', (req) => req.path);
    const { injectAll } = await import('./support/testing.js');
    const all = await injectAll(app, 'GET http://example.com/a/b?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\nGET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n');
    expect(all.map((r) => r.status)).toEqual([200, 200]);
    expect(all[0]!.json()).toEqual(['http://example.com/a/b?x=1', '/a/b', '1']);
    expect(all[1]!.text()).toBe('/');
  });
});
