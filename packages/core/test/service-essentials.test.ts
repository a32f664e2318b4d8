import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import * as zlib from 'node:zlib';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  accessLog, App, compress, cors, currentRequestId, HttpError, Metrics, negotiateEncoding, readiness, requestContext,
  requestId, requestIdOf, Response, type Logger,
} from '../src/index.js';
import { inject, rawRequest, startTestServer, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

describe('cors()', () => {
  function corsApp(options: Parameters<typeof cors>[0]) {
    const app = new App({ logger: false });
    app.use(cors(options));
    app.use((req, next) => (req.header('authorization') === undefined && req.path.startsWith('/private') ? new Response('no', { status: 401 }) : next()));
    app.get('/items', () => ({ items: [] }));
    app.post('/items', () => 'created');
    app.get('/private', () => 'secret');
    app.get('/boom', () => {
      throw new HttpError(413, 'too big');
    });
    return app;
  }
  const preflight = (origin: string, url = '/items', extra: Record<string, string> = {}) => ({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': 'POST', ...extra },
  });

  it('preflight matrix: allowed origin, other origin, path without routes, explicit headers', async () => {
    const app = corsApp({ origin: ['https://app.example', /^https:\/\/[a-z]+\.test$/], credentials: true, maxAge: 600, exposedHeaders: ['x-total'] });
    const ok = await inject(app, preflight('https://app.example', '/items', { 'access-control-request-headers': 'content-type, x-a' }));
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(ok.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
    expect(ok.headers['access-control-allow-headers']).toBe('content-type, x-a');
    expect(ok.headers['access-control-max-age']).toBe('600');
    expect(ok.headers['vary']).toBe('Origin, Access-Control-Request-Headers');
    // preflight to a path that needs auth: answered before the auth middleware
    expect((await inject(app, preflight('https://b.test', '/private'))).status).toBe(204);
    // a path without routes keeps its 404
    const none = await inject(app, preflight('https://app.example', '/nothing'));
    expect([none.status, none.headers['access-control-allow-origin']]).toEqual([404, 'https://app.example']);
    // an origin not allowed gets no CORS headers (the browser blocks it) and the plain 405
    const evil = await inject(app, preflight('https://evil.example'));
    expect([evil.status, evil.headers['access-control-allow-origin'], evil.headers['vary']]).toEqual([405, undefined, 'Origin']);
  });

  it('actual requests: headers on success, errors, 401 and 404; Vary: Origin; no Origin, no CORS', async () => {
    const app = corsApp({ origin: (o) => o.endsWith('.example'), exposedHeaders: ['x-total', 'x-page'] });
    for (const url of ['/items', '/boom', '/private', '/nope']) {
      const res = await inject(app, { url, headers: { origin: 'https://a.example' } });
      expect(res.headers['access-control-allow-origin']).toBe('https://a.example');
      expect(res.headers['access-control-expose-headers']).toBe('x-total, x-page');
      expect(res.headers['vary']).toBe('Origin');
    }
    expect((await inject(app, { url: '/boom', headers: { origin: 'https://a.example' } })).status).toBe(413);
    const plain = await inject(app, '/items');
    expect([plain.headers['access-control-allow-origin'], plain.headers['vary']]).toEqual([undefined, 'Origin']);
  });

  it("origin '*' without credentials answers '*' and needs no Vary", async () => {
    const app = corsApp({});
    const res = await inject(app, { url: '/items', headers: { origin: 'https://x.example' } });
    expect([res.headers['access-control-allow-origin'], res.headers['vary']]).toEqual(['*', undefined]);
    const pre = await inject(app, preflight('https://x.example'));
    expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([204, '*']);
    expect(() => cors({ maxAge: -1 })).toThrow(RangeError);
  });
});

describe('compress()', () => {
  it('negotiates from Accept-Encoding with q-values (table)', () => {
    const offered = ['br', 'gzip'];
    const table: Array<[string | undefined, string | null]> = [
      [undefined, null],
      ['', null],
      ['gzip', 'gzip'],
      ['br, gzip', 'br'],
      ['gzip;q=1, br;q=0.5', 'gzip'],
      ['gzip;q=0, br;q=0', null],
      ['*', 'br'],
      ['*;q=0.1, br;q=0', 'gzip'],
      ['identity', null],
      ['GZIP', 'gzip'],
      ['x-gzip', 'gzip'],
      ['gzip;q=bogus', null],
      ['deflate', null],
      ['br;q=0.8, gzip;q=0.8', 'br'],
    ];
    for (const [header, expected] of table) expect([header, negotiateEncoding(header, offered)]).toEqual([header, expected]);
  });

  const big = 'hello compression '.repeat(200);
  function app() {
    const a = new App({ logger: false });
    a.use(compress({ encodings: ['br', 'gzip'] }));
    a.get('/big', () => big);
    a.get('/small', () => 'tiny');
    a.get('/json', () => ({ text: big }));
    a.get('/png', () => new Response(new Uint8Array(4096), { type: 'image/png' }));
    a.get('/encoded', () => new Response(big, { headers: { 'content-encoding': 'identity-ish' } }));
    a.get('/partial', () => new Response(big, { status: 206, headers: { 'content-range': 'bytes 0-3599/9999' } }));
    a.get('/async', async () => big);
    return a;
  }

  it('compresses large compressible bodies, leaves the rest alone, always says Vary', async () => {
    const a = app();
    const gz = await inject(a, { url: '/big', headers: { 'accept-encoding': 'gzip' } });
    expect([gz.headers['content-encoding'], gz.headers['vary'], gz.headers['content-type']]).toEqual(['gzip', 'Accept-Encoding', 'text/plain; charset=utf-8']);
    expect(zlib.gunzipSync(gz.body).toString()).toBe(big);
    const br = await inject(a, { url: '/async', headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(big);
    const json = await inject(a, { url: '/json', headers: { 'accept-encoding': 'br' } });
    expect(JSON.parse(zlib.brotliDecompressSync(json.body).toString())).toEqual({ text: big });
    const none = await inject(a, '/big');
    expect([none.headers['content-encoding'], none.headers['vary'], none.text()]).toEqual([undefined, 'Accept-Encoding', big]);
    for (const url of ['/small', '/png', '/encoded', '/partial']) {
      const r = await inject(a, { url, headers: { 'accept-encoding': 'gzip, br' } });
      expect([url, r.headers['content-encoding'] ?? null]).toEqual([url, url === '/encoded' ? 'identity-ish' : null]);
    }
    const head = await inject(a, { method: 'HEAD', url: '/big', headers: { 'accept-encoding': 'gzip' } });
    expect([head.status, head.headers['content-encoding']]).toEqual([200, undefined]);
  });
});

describe('request ids, context and the access log', () => {
  it('the id comes from X-Request-Id or is generated, is echoed, and follows async calls', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ base: null }, sink) as unknown as Logger;
    const app = new App({ logger });
    let n = 0;
    app.use(requestId({ generate: () => `gen-${++n}`, context: true }), accessLog(logger));
    const deep = async () => {
      await delay(1);
      return currentRequestId();
    };
    app.get('/who', async (req) => {
      await new Promise((r) => setImmediate(r));
      return { id: await deep(), same: requestContext()?.req === req };
    });
    const a = await inject(app, { url: '/who', headers: { 'x-request-id': 'abc-123' } });
    expect(a.json()).toEqual({ id: 'abc-123', same: true });
    expect(a.headers['x-request-id']).toBe('abc-123');
    const b = await inject(app, { url: '/who', headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(b.json()).toEqual({ id: 'gen-1', same: true });
    expect((await inject(app, '/nope')).headers['x-request-id']).toBe('gen-2');
    expect(currentRequestId()).toBeUndefined();
    expect(lines.map((l) => [l['msg'], l['method'], l['path'], l['status'], l['requestId']])).toEqual([
      ['request', 'GET', '/who', 200, 'abc-123'],
      ['request', 'GET', '/who', 200, 'gen-1'],
      ['request', 'GET', '/nope', 404, 'gen-2'],
    ]);
    expect(lines[0]!['bytes']).toBe(a.body.byteLength);
    expect(typeof lines[0]!['durationMs']).toBe('number');
  });

  it('without the context, accessLog and requestIdOf give the id requestId() echoed', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = { info: (fields: Record<string, unknown>) => void lines.push(fields) } as unknown as Logger;
    const app = new App({ logger: false });
    const seen: Array<string | undefined> = [];
    app.use(requestId(), accessLog(logger));
    app.get('/', (req) => {
      seen.push(requestIdOf(req));
      return 'ok';
    });
    app.get('/later', async (req) => {
      await new Promise((r) => setImmediate(r));
      seen.push(requestIdOf(req));
      return 'ok';
    });
    const a = await inject(app, { url: '/', headers: { 'x-request-id': 'abc-123' } });
    const b = await inject(app, '/');
    const c = await inject(app, '/later');
    const nope = await inject(app, '/nope');
    const ids = [a, b, c, nope].map((r) => r.headers['x-request-id'] as string);
    expect(ids[0]).toBe('abc-123');
    expect(new Set(ids).size).toBe(4);
    expect(seen).toEqual(ids.slice(0, 3));
    expect(lines.map((l) => l['requestId'])).toEqual(ids);
    expect(currentRequestId()).toBeUndefined();
  });

  it('contexts of concurrent requests do not mix', async () => {
    const app = new App({ logger: false });
    app.use(requestId({ context: true }));
    app.get('/d/:ms', async (req) => {
      await delay(Number(req.params.ms));
      return currentRequestId() ?? 'none';
    });
    const ids = ['r1', 'r2', 'r3', 'r4'];
    const out = await Promise.all(ids.map((id, i) => inject(app, { url: `/d/${(4 - i) * 3}`, headers: { 'x-request-id': id } })));
    expect(out.map((r) => r.text())).toEqual(ids);
  });
});

describe('metrics and readiness', () => {
  it('counts responses by status class and route in Prometheus text', async () => {
    const metrics = new Metrics();
    const app = new App({ logger: false });
    app.use(metrics.middleware());
    app.get('/metrics', metrics.handler());
    app.get('/users/:id', (req) => req.params.id);
    app.get('/boom', () => {
      throw new Error('x');
    });
    for (const url of ['/users/1', '/users/2', '/boom', '/nope']) await inject(app, url);
    const res = await inject(app, '/metrics');
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.text();
    expect(text).toContain('jato_http_requests_total{method="GET",status="2xx"} 2\n');
    expect(text).toContain('jato_http_requests_total{method="GET",status="5xx"} 1\n');
    expect(text).toContain('jato_http_requests_total{method="GET",status="4xx"} 1\n');
    expect(text).toContain('jato_http_requests_in_flight 1\n'); // the scrape itself
    expect(text).toContain('jato_http_request_duration_seconds_count{route="/users/:id"} 2\n');
    expect(text).toContain('jato_http_request_duration_seconds_bucket{route="/users/:id",le="+Inf"} 2\n');
    expect(text).toContain('jato_http_request_duration_seconds_count{route=""} 1\n');
    expect(text).toMatch(/# TYPE jato_http_request_duration_seconds histogram/);
  });
});

describe.each(TRANSPORTS)('service essentials over real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a compressed response is decoded by fetch, CORS and ids on the wire', async () => {
    const app = new App({ transport, logger: false });
    app.use(cors({ origin: 'https://app.example' }), requestId(), compress());
    const body = JSON.stringify({ rows: Array.from({ length: 300 }, (_, i) => ({ i, name: `row ${i}` })) });
    app.get('/rows', async () => new Response(body, { type: 'application/json' }));
    server = await startTestServer(app);
    const res = await fetch(`${server.url}/rows`, { headers: { origin: 'https://app.example', 'accept-encoding': 'gzip, br' } });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Origin'); // compress is inner: it adds its Vary first
    expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9]{12}-[0-9]+$/);
    expect(await res.text()).toBe(body);
    // a preflight on the raw socket
    const raw = 'OPTIONS /rows HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n\r\n';
    const { responses } = await rawRequest(server.port, raw, { responses: 1 });
    expect([responses[0]!.status, responses[0]!.headers['access-control-allow-methods']]).toEqual([204, 'GET, HEAD']);
  });

  it('readiness turns 503 once a graceful shutdown starts, while in-flight requests finish', async () => {
    const app = new App({ transport, logger: false });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let started: () => void = () => {};
    const inside = new Promise<void>((r) => (started = r));
    app.get('/ready', readiness(app));
    app.get('/slow', async () => {
      started();
      await gate;
      return 'done';
    });
    server = await startTestServer(app);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect(app.shuttingDown).toBe(false);
    const slow = fetch(`${server.url}/slow`);
    await inside;
    const closing = server.close();
    expect(app.shuttingDown).toBe(true);
    expect((await inject(app, '/ready')).status).toBe(503);
    release();
    expect(await (await slow).text()).toBe('done');
    await closing;
    server = undefined;
  });
});
