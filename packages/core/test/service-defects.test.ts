import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { App, Response, serializeCookie, type Logger } from '../src/index.js';
import { inject, injectAll } from './support/testing.js';

/** A pino logger writing JSON lines into `lines` (synchronously). */
function pinoInto(lines: Array<Record<string, unknown>>): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ base: null }, sink) as unknown as Logger;
}

describe('logging with pino (object first)', () => {
  it('a failing handler is logged as JSON with the message, the stack and the request', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const app = new App({ logger: pinoInto(lines) });
    app.get('/x', () => {
      throw new Error('kaput', { cause: new Error('root cause') });
    });
    expect((await inject(app, '/x')).status).toBe(500);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line['level']).toBe(50);
    expect(line['msg']).toBe('jato: GET /x failed');
    expect([line['method'], line['url']]).toEqual(['GET', '/x']);
    const err = line['err'] as { message: string; stack: string; type: string };
    expect(err.type).toBe('Error');
    expect(err.message).toContain('kaput');
    expect(err.stack).toContain('kaput');
    expect(err.stack).toContain('root cause'); // pino's serializer keeps the cause chain
  });

  it('an onError handler that throws keeps the original error as cause, and both are logged', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const app = new App({ logger: pinoInto(lines) });
    class Original extends Error {}
    app.onError(Original, () => {
      throw new Error('handler broke');
    });
    app.onError(RangeError, () => {
      // already has a cause of its own: the original is logged on its own line
      throw new Error('handler broke too', { cause: new Error('inner') });
    });
    app.get('/a', () => {
      throw new Original('first');
    });
    app.get('/b', () => {
      throw new RangeError('second');
    });
    expect((await inject(app, '/a')).status).toBe(500);
    expect(lines).toHaveLength(1);
    const stack = (lines[0]!['err'] as { stack: string }).stack;
    expect(stack).toContain('handler broke');
    expect(stack).toContain('first');
    expect((await inject(app, '/b')).status).toBe(500);
    const texts = lines.slice(1).map((l) => (l['err'] as { stack: string }).stack);
    expect(texts).toHaveLength(2);
    expect(texts.some((t) => t.includes('RangeError: second'))).toBe(true);
    expect(texts.some((t) => t.includes('handler broke too') && t.includes('inner'))).toBe(true);
  });

  it('an async onError rejection keeps the original as cause', async () => {
    const errors: unknown[] = [];
    const app = new App({ logger: { error: (o) => errors.push(o.err), warn() {}, info() {} } });
    app.onError(TypeError, async () => {
      throw new Error('async handler broke');
    });
    app.get('/', async () => {
      throw new TypeError('original');
    });
    expect((await inject(app, '/')).status).toBe(500);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('async handler broke');
    expect(((errors[0] as Error).cause as Error).message).toBe('original');
  });
});

describe('req.host', () => {
  it('is the Host header (or the absolute-form authority), with hostname and port its parts', async () => {
    const app = new App({ logger: false });
    app.get('/', (req) => ({ host: req.host, hostname: req.hostname, port: req.port ?? null }));
    expect((await inject(app, { url: '/', headers: { host: 'Example.com:8080' } })).json()).toEqual({
      host: 'Example.com:8080', hostname: 'example.com', port: 8080,
    });
    expect((await inject(app, { url: 'http://other.test/', headers: { host: 'ignored' } })).json()).toEqual({
      host: 'other.test', hostname: 'other.test', port: null,
    });
  });
});

describe('req.header() without building the header map', () => {
  it('agrees with req.headers for every name, repeated lines and cookies included', async () => {
    const app = new App({ logger: false });
    const names = ['x-many', 'X-Many', 'cookie', 'host', 'absent', 'x-one'];
    app.get('/', (req) => {
      const scanned = names.map((n) => req.header(n) ?? null); // before req.headers exists
      const mapped = names.map((n) => req.headers[n.toLowerCase()] ?? null);
      return { scanned, mapped };
    });
    const raw = 'GET / HTTP/1.1\r\nHost: h\r\nX-Many: a\r\nx-one: 1\r\nx-many: b\r\nCookie: a=1\r\ncookie: b=2\r\n\r\n';
    const [res] = await injectAll(app, raw);
    const body = res!.json() as { scanned: unknown[]; mapped: unknown[] };
    expect(body.scanned).toEqual(['a, b', 'a, b', 'a=1; b=2', 'h', null, '1']);
    expect(body.scanned).toEqual(body.mapped);
  });
});

describe('cookie rules browsers enforce', () => {
  it('partitioned and sameSite None require secure', () => {
    expect(() => serializeCookie('a', 'b', { partitioned: true })).toThrow(/partitioned requires secure/);
    expect(() => serializeCookie('a', 'b', { sameSite: 'None' })).toThrow(/sameSite 'None' requires secure/);
    expect(() => serializeCookie('a', 'b', { sameSite: 'none', secure: false })).toThrow(TypeError);
    expect(serializeCookie('a', 'b', { sameSite: 'None', secure: true, partitioned: true })).toBe('a=b; Secure; SameSite=None; Partitioned');
    expect(() => new Response('x').cookie('a', 'b', { partitioned: true })).toThrow(TypeError);
  });
});
