import { describe, expect, it } from 'vitest';
import { Response, ResponseHeaders, serializeCookie } from '../src/index.js';

describe('Response', () => {
  it('defaults to 200 with the registry reason phrase', () => {
    const res = new Response('hi');
    expect(res.status).toBe(200);
    expect(res.statusText).toBe('OK');
    expect(res.body).toBe('hi');
    expect(res.contentType).toBe('text/plain; charset=utf-8');
  });

  it.each([0, 99, 100, 101, 199, 600, 1000, 200.5, Number.NaN, 299, 599, -1])('rejects status %s at creation', (status) => {
    expect(() => new Response('x', { status })).toThrow(RangeError);
  });

  it.each([201, 204, 302, 404, 418, 451, 503])('accepts registered status %s', (status) => {
    expect(new Response(null, { status }).status).toBe(status);
  });

  it('picks the content type from the body', () => {
    expect(new Response(new Uint8Array([1])).contentType).toBe('application/octet-stream');
    expect(new Response({ a: 1 }).contentType).toBe('application/json');
    expect(new Response({ a: 1 }).body).toBe('{"a":1}');
    expect(new Response([1, 2]).body).toBe('[1,2]');
    expect(new Response(null).contentType).toBeNull();
    expect(new Response(new ArrayBuffer(2)).body).toEqual(new Uint8Array(2));
  });

  it('takes a mime type and charset', () => {
    expect(new Response('<p>', { type: 'text/html' }).contentType).toBe('text/html; charset=utf-8');
    expect(new Response('x', { type: 'text/csv', charset: 'iso-8859-1' }).contentType).toBe('text/csv; charset=iso-8859-1');
    expect(new Response('x', { charset: 'us-ascii' }).contentType).toBe('text/plain; charset=us-ascii');
    expect(new Response('x', { type: 'application/xml' }).contentType).toBe('application/xml');
    expect(new Response('x', { type: 'a/b', headers: { 'Content-Type': 'c/d' } }).contentType).toBe('c/d');
  });

  it('keeps multi-valued headers, case-insensitively', () => {
    const res = new Response('x', { headers: { 'X-A': '1', vary: ['accept', 'origin'] } });
    res.headers.append('x-a', '2');
    expect(res.headers.get('x-a')).toBe('1, 2');
    expect(res.headers.getAll('VARY')).toEqual(['accept', 'origin']);
    expect(res.headers.has('X-a')).toBe(true);
    res.headers.set('X-A', '3');
    expect(res.headers.getAll('x-a')).toEqual(['3']);
    res.headers.delete('x-a');
    expect(res.headers.has('x-a')).toBe(false);
    expect([...new ResponseHeaders([['a', '1'], ['b', '2']])]).toEqual([['a', '1'], ['b', '2']]);
  });

  it('refuses header injection', () => {
    expect(() => new Response('x', { headers: { 'x-a': 'a\r\nSet-Cookie: evil=1' } })).toThrow(TypeError);
    expect(() => new Response('x', { headers: { 'bad name': 'a' } })).toThrow(TypeError);
    expect(() => new Response('x').headers.set('x', 'snowman ☃')).toThrow(TypeError);
    expect(() => new Response('x', { statusText: 'ok\r\n' })).toThrow(TypeError);
  });

  it('builds JSON, text, html and redirect responses', () => {
    const j = Response.json({ ok: true }, { status: 201 });
    expect([j.status, j.body, j.contentType]).toEqual([201, '{"ok":true}', 'application/json']);
    expect(Response.text('t').contentType).toBe('text/plain; charset=utf-8');
    expect(Response.html('<b>').contentType).toBe('text/html; charset=utf-8');
    const r = Response.redirect('/login');
    expect([r.status, r.headers.get('location'), r.body]).toEqual([302, '/login', null]);
    expect(Response.redirect(new URL('https://x.test/a b'), 301).headers.get('location')).toBe('https://x.test/a%20b');
    expect(Response.redirect('/café', 308).headers.get('location')).toBe('/caf%C3%A9');
    expect(() => Response.redirect('/x', 200)).toThrow(RangeError);
  });

  it('reads its body back', () => {
    expect(new Response('héllo').bytes()).toEqual(Buffer.from('héllo'));
    expect(new Response(Buffer.from('abc')).text()).toBe('abc');
    expect(new Response(null).text()).toBe('');
  });
});

describe('cookies', () => {
  it('serialises every attribute', () => {
    const expires = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(
      serializeCookie('sid', 'a b;c', {
        maxAge: 3600.7, expires, path: '/', domain: 'example.com', secure: true, httpOnly: true,
        sameSite: 'lax', partitioned: true,
      }),
    ).toBe(
      'sid=a%20b%3Bc; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax; Partitioned',
    );
  });

  it('rejects what would break the header', () => {
    expect(() => serializeCookie('a b', 'x')).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x;y', { encode: false })).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x', { path: '/;evil' })).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x', { maxAge: Infinity })).toThrow(TypeError);
    expect(() => serializeCookie('a', 'x', { sameSite: 'bogus' as 'lax' })).toThrow(TypeError);
  });

  it('appends Set-Cookie lines to a response and clears cookies', () => {
    const res = new Response('x').cookie('a', '1', { httpOnly: true }).cookie('b', '2', { sameSite: 'Strict' }).clearCookie('c', { path: '/' });
    expect(res.headers.getSetCookie()).toEqual([
      'a=1; HttpOnly',
      'b=2; SameSite=Strict',
      'c=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/',
    ]);
  });
});
