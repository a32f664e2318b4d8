import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { App, file, serveStatic } from '../../src/index.js';
import { inject, injectAll } from '../support/testing.js';
import { MTIME, makeFixture, type StaticFixture } from './fixture.js';

const LAST_MODIFIED = 'Sun, 06 Nov 1994 08:49:37 GMT';
let fx: StaticFixture;
let app: App;

beforeAll(() => {
  fx = makeFixture();
  app = new App({ logger: false });
  app.get('/api/ping', () => 'pong');
  app.get('/s/*', serveStatic(fx.root, { precompressed: true }));
  app.get('/strong/*', serveStatic(fx.root, { etag: 'strong', maxAge: 3600, immutable: true }));
  app.get('/nocache/*', serveStatic(fx.root, { etag: false, lastModified: false, cacheControl: false, acceptRanges: false }));
  app.get('/one-range/*', serveStatic(fx.root, { maxRanges: 1 }));
  app.get('/dl', () => file(join(fx.root, 'caf\u00e9.txt'), { download: 'r\u00e9sum\u00e9 "1".txt' }));
  app.get('/report', () => file('hello.txt', { root: fx.root, type: 'text/csv', headers: { 'x-extra': '1' } }));
  app.get('/gone', () => file(join(fx.root, 'nope.txt')));
  app.get('/big', () => file(join(fx.root, 'big.bin'), { etag: 'strong' }));
  app.get('/teapot', () => file(join(fx.root, 'hello.txt'), { status: 418 }));
});
afterAll(() => fx.cleanup());

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') => inject(app, { url, headers, method });

describe('serveStatic: 200, types, validators', () => {
  it('serves a text file with exact headers', async () => {
    const res = await get('/s/hello.txt');
    expect(res.status).toBe(200);
    expect(res.text()).toBe('hello world');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-length']).toBe('11');
    expect(res.headers['last-modified']).toBe(LAST_MODIFIED);
    expect(res.headers.etag).toBe(`W/"b-${(MTIME * 1e6).toString(16)}"`);
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers['cache-control']).toBe('public, max-age=0');
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('types from mime-types: charset only for text types, octet-stream for unknown', async () => {
    expect((await get('/s/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/s/data.json')).headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await get('/s/image.png')).headers['content-type']).toBe('image/png');
    expect((await get('/s/unknown.zzqx')).headers['content-type']).toBe('application/octet-stream');
    expect((await get('/s/index.html')).headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('strong ETag, max-age and immutable', async () => {
    const res = await get('/strong/hello.txt');
    expect(res.headers.etag).toMatch(/^"b-[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers['cache-control']).toBe('public, max-age=3600, immutable');
  });

  it('validators, Cache-Control and ranges can be turned off', async () => {
    const res = await get('/nocache/hello.txt', { range: 'bytes=0-1' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['last-modified']).toBeUndefined();
    expect(res.headers['cache-control']).toBeUndefined();
    expect(res.headers['accept-ranges']).toBeUndefined();
    expect(res.text()).toBe('hello world');
  });

  it('an empty file is 200 with Content-Length 0', async () => {
    const res = await get('/s/empty.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('0');
  });

  it('HEAD: the GET headers, no body (small and large files)', async () => {
    const [small, large] = await injectAll(app, 'HEAD /s/hello.txt HTTP/1.1\r\nHost: t\r\n\r\nHEAD /s/big.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /api/ping HTTP/1.1\r\nHost: t\r\n\r\n', [true, true, false]);
    expect(small!.status).toBe(200);
    expect(small!.headers['content-length']).toBe('11');
    expect(small!.body.length).toBe(0);
    expect(large!.headers['content-length']).toBe(String(100 * 1024));
    expect(large!.body.length).toBe(0);
  });

  it('other methods get 405 with Allow when mounted for them', async () => {
    const a = new App({ logger: false });
    a.all('/x/*', serveStatic(fx.root));
    const res = await inject(a, { method: 'POST', url: '/x/hello.txt' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('conditional requests (RFC 9110 §13)', () => {
  const etag = () => `W/"b-${(MTIME * 1e6).toString(16)}"`;
  it('If-None-Match matching → 304 with validators, no body', async () => {
    const res = await get('/s/hello.txt', { 'if-none-match': `"x", ${etag()}` });
    expect(res.status).toBe(304);
    expect(res.headers.etag).toBe(etag());
    expect(res.headers['last-modified']).toBe(LAST_MODIFIED);
    expect(res.headers['cache-control']).toBe('public, max-age=0');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.length).toBe(0);
  });
  it('If-None-Match: weak comparison (a strong form of the tag matches too), * matches', async () => {
    expect((await get('/s/hello.txt', { 'if-none-match': etag().slice(2) })).status).toBe(304);
    expect((await get('/s/hello.txt', { 'if-none-match': '*' })).status).toBe(304);
    expect((await get('/s/hello.txt', { 'if-none-match': '"other"' })).status).toBe(200);
  });
  it('If-None-Match wins over If-Modified-Since', async () => {
    const res = await get('/s/hello.txt', { 'if-none-match': '"other"', 'if-modified-since': LAST_MODIFIED });
    expect(res.status).toBe(200);
  });
  it('If-Modified-Since: not modified → 304; older date → 200; invalid date ignored', async () => {
    expect((await get('/s/hello.txt', { 'if-modified-since': LAST_MODIFIED })).status).toBe(304);
    expect((await get('/s/hello.txt', { 'if-modified-since': 'Sun, 06 Nov 1994 08:49:36 GMT' })).status).toBe(200);
    expect((await get('/s/hello.txt', { 'if-modified-since': 'yesterday' })).status).toBe(200);
    expect((await get('/s/hello.txt', { 'if-modified-since': 'Sunday, 06-Nov-94 08:49:37 GMT' })).status).toBe(304);
    expect((await get('/s/hello.txt', { 'if-modified-since': 'Sun Nov  6 08:49:37 1994' })).status).toBe(304);
  });
  it('If-Match: a weak tag never matches strongly → 412; * → 200; strong tag → 200', async () => {
    const res = await get('/s/hello.txt', { 'if-match': etag() });
    expect(res.status).toBe(412);
    expect(res.headers['content-length']).toBe('0');
    expect((await get('/s/hello.txt', { 'if-match': '*' })).status).toBe(200);
    const strong = (await get('/strong/hello.txt')).headers.etag!;
    expect((await get('/strong/hello.txt', { 'if-match': strong })).status).toBe(200);
    expect((await get('/strong/hello.txt', { 'if-match': '"nope"' })).status).toBe(412);
  });
  it('If-Unmodified-Since: modified since → 412, else 200', async () => {
    expect((await get('/s/hello.txt', { 'if-unmodified-since': 'Sun, 06 Nov 1994 08:49:36 GMT' })).status).toBe(412);
    expect((await get('/s/hello.txt', { 'if-unmodified-since': LAST_MODIFIED })).status).toBe(200);
  });
});

describe('ranges (RFC 9110 §14)', () => {
  it('one range → 206 with Content-Range', async () => {
    const res = await get('/s/hello.txt', { range: 'bytes=0-4' });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 0-4/11');
    expect(res.headers['content-length']).toBe('5');
    expect(res.text()).toBe('hello');
  });
  it('suffix and open-ended ranges; an end past the size is clamped', async () => {
    expect((await get('/s/hello.txt', { range: 'bytes=-5' })).text()).toBe('world');
    const open = await get('/s/hello.txt', { range: 'bytes=6-' });
    expect(open.headers['content-range']).toBe('bytes 6-10/11');
    expect(open.text()).toBe('world');
    expect((await get('/s/hello.txt', { range: 'bytes=6-100' })).headers['content-range']).toBe('bytes 6-10/11');
  });
  it('unsatisfiable → 416 with Content-Range: bytes */N', async () => {
    const res = await get('/s/hello.txt', { range: 'bytes=11-20' });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */11');
    expect((await get('/s/empty.txt', { range: 'bytes=0-0' })).status).toBe(416);
    expect((await get('/s/hello.txt', { range: 'bytes=-0' })).status).toBe(416);
    expect((await get('/s/hello.txt', { range: 'bytes=11-' })).headers['content-range']).toBe('bytes */11');
  });
  it('malformed or other-unit Range is ignored → 200', async () => {
    for (const range of ['bytes=5-1', 'bytes=a-b', 'items=0-1', 'bytes=', 'bytes 0-1', 'bytes=--1']) {
      const res = await get('/s/hello.txt', { range });
      expect(res.status, range).toBe(200);
      expect(res.text()).toBe('hello world');
    }
  });
  it('several ranges → multipart/byteranges with exact parts', async () => {
    const res = await get('/s/hello.txt', { range: 'bytes=0-1, 6-7' });
    expect(res.status).toBe(206);
    const m = /^multipart\/byteranges; boundary=([0-9a-f]+)$/.exec(res.headers['content-type']!);
    expect(m).not.toBeNull();
    const b = m![1]!;
    const body = `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-1/11\r\n\r\nhe\r\n`
      + `--${b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 6-7/11\r\n\r\nwo\r\n--${b}--\r\n`;
    expect(res.text()).toBe(body);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });
  it('overlapping ranges are merged into one', async () => {
    const res = await get('/s/hello.txt', { range: 'bytes=0-3,2-6' });
    expect(res.headers['content-range']).toBe('bytes 0-6/11');
    expect(res.text()).toBe('hello w');
  });
  it('more ranges than maxRanges → the whole file (documented)', async () => {
    const res = await get('/one-range/hello.txt', { range: 'bytes=0-1,5-6' });
    expect(res.status).toBe(200);
    expect(res.text()).toBe('hello world');
  });
  it('a range of a large file streams exactly those bytes', async () => {
    const res = await get('/s/big.bin', { range: 'bytes=1000-90999' });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 1000-90999/${100 * 1024}`);
    expect(Buffer.from(res.body).equals(fx.big.subarray(1000, 91000))).toBe(true);
  });
  it('If-Range: a matching date or strong tag applies the range; otherwise 200', async () => {
    expect((await get('/s/hello.txt', { range: 'bytes=0-1', 'if-range': LAST_MODIFIED })).status).toBe(206);
    expect((await get('/s/hello.txt', { range: 'bytes=0-1', 'if-range': 'Sun, 06 Nov 1994 08:49:38 GMT' })).status).toBe(200);
    const weak = (await get('/s/hello.txt')).headers.etag!;
    expect((await get('/s/hello.txt', { range: 'bytes=0-1', 'if-range': weak })).status).toBe(200);
    const strong = (await get('/strong/hello.txt')).headers.etag!;
    expect((await get('/strong/hello.txt', { range: 'bytes=0-1', 'if-range': strong })).status).toBe(206);
    expect((await get('/strong/hello.txt', { range: 'bytes=0-1', 'if-range': '"old"' })).status).toBe(200);
  });
  it('HEAD ignores Range', async () => {
    const [res] = await injectAll(app, 'HEAD /s/hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1\r\n\r\n', [true]);
    expect(res!.status).toBe(200);
    expect(res!.headers['content-length']).toBe('11');
  });
});

describe('precompressed siblings, index, redirects', () => {
  it('br preferred, gzip next, identity otherwise; Vary: Accept-Encoding always', async () => {
    const br = await get('/s/app.js', { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers.etag).toMatch(/-br"$/);
    const gz = await get('/s/app.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe('console.log("app");'.repeat(10));
    const id = await get('/s/app.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(id.headers['content-encoding']).toBeUndefined();
    expect(id.headers.vary).toBe('Accept-Encoding');
    expect(id.text()).toBe('console.log("app");'.repeat(10));
    const none = await get('/s/hello.txt', { 'accept-encoding': 'br' });
    expect(none.headers.vary).toBeUndefined();
  });
  it('a directory with a trailing slash serves index.html; without it redirects 301 (query kept)', async () => {
    const idx = await get('/s/docs/');
    expect(idx.status).toBe(200);
    expect(idx.text()).toBe('<h1>docs</h1>');
    const root = await get('/s/');
    expect(root.text()).toBe('<h1>home</h1>');
    const redir = await get('/s/docs?x=1');
    expect(redir.status).toBe(301);
    expect(redir.headers.location).toBe('/s/docs/?x=1');
    expect((await get('/s/noindex/')).status).toBe(404);
  });
  it('the redirect never produces a protocol-relative Location', async () => {
    const a = new App({ logger: false });
    a.get('/*', serveStatic(fx.root));
    const res = await inject(a, '//docs');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/docs/');
  });
  it('API routes and the static catch-all live together', async () => {
    expect((await get('/api/ping')).text()).toBe('pong');
  });
});

describe('file()', () => {
  it('download with an RFC 6266 Content-Disposition', async () => {
    const res = await get('/dl');
    expect(res.status).toBe(200);
    expect(res.text()).toBe('cafe');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="r?sum? \\"1\\".txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.txt`);
  });
  it('type and headers from init, relative to root; conditionals apply', async () => {
    const res = await get('/report');
    expect(res.headers['content-type']).toBe('text/csv');
    expect(res.headers['x-extra']).toBe('1');
    expect((await get('/report', { 'if-none-match': res.headers.etag! })).status).toBe(304);
  });
  it('a missing file, a directory, a device or a FIFO is 404 (never opened)', async () => {
    expect((await get('/gone')).status).toBe(404);
    const a = new App({ logger: false });
    a.get('/dir', () => file(fx.root));
    a.get('/null', () => file('/dev/null'));
    a.get('/zero', () => file('/dev/zero'));
    expect((await inject(a, '/dir')).status).toBe(404);
    expect((await inject(a, '/null')).status).toBe(404);
    expect((await inject(a, '/zero')).status).toBe(404);
  });

  it('serveStatic: a symlink to a device is 404 even when symlinks may leave the root', async () => {
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/dev/zero', join(fx.root, 'zero-link'));
    const a = new App({ logger: false });
    a.get('/f/*', serveStatic(fx.root, { followSymlinks: true }));
    expect((await inject(a, '/f/zero-link')).status).toBe(404);
  });
  it('a large file streams whole; ranges apply', async () => {
    const res = await get('/big');
    expect(Buffer.from(res.body).equals(fx.big)).toBe(true);
    expect(res.headers['content-length']).toBe(String(fx.big.length));
    const part = await get('/big', { range: 'bytes=-10' });
    expect(Buffer.from(part.body).equals(fx.big.subarray(-10))).toBe(true);
  });
  it('another status sends the whole file and ignores preconditions', async () => {
    const res = await get('/teapot', { range: 'bytes=0-1', 'if-none-match': '*' });
    expect(res.status).toBe(418);
    expect(res.text()).toBe('hello world');
  });
  it('rejects an invalid path or type at once', () => {
    expect(() => file('')).toThrow(TypeError);
    expect(() => file('a\0b')).toThrow(TypeError);
    expect(() => file('a.txt', { type: 'not a type' })).toThrow(TypeError);
  });
});
