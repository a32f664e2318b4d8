import { afterEach, describe, expect, it } from 'vitest';
import { App, cors, currentRequestId, mapResponse, Response, requestId, type Request } from '../src/index.js';
import { inject, injectAll, rawRequest, startTestServer, type TestServer } from './support/testing.js';
import { tracer } from './support/tracer.js';
import { TRANSPORTS } from './support/transports.js';

/** The `[name, value]` lines of a response whose name is `name` (case-insensitive), in order. */
function lines(res: { rawHeaders: ReadonlyArray<readonly [string, string]> }, name: string): string[] {
  return res.rawHeaders.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

const ORIGIN = 'https://app.example';

describe('jato middleware on the fast path (requestId, cors)', () => {
  it('sync chains stay sync: next() of a user middleware inside them returns the plain value', async () => {
    const app = new App({ logger: false });
    let seen: unknown;
    app.use(requestId(), cors({ origin: [ORIGIN] }), (_req, next) => {
      seen = next();
      return seen as string;
    });
    app.get('/', () => 'ok');
    const res = await inject(app, { url: '/', headers: { origin: ORIGIN } });
    expect(seen).toBe('ok');
    expect(res.text()).toBe('ok');
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['vary']).toBe('Origin');
    expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9]{12}-\d+$/);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('runs in onion order mixed with user middleware, and a short-circuit inside still gets their headers', async () => {
    const app = new App({ logger: false });
    const log: string[] = [];
    app.use(requestId({ generate: () => 'id-1' }), tracer(log, 'a'), cors({ origin: [ORIGIN] }), tracer(log, 'b'));
    app.use((req, next) => (req.header('x-deny') !== undefined ? new Response('denied', { status: 403 }) : next()));
    app.get('/', () => {
      log.push('h');
      return 'ok';
    });
    const ok = await inject(app, { url: '/', headers: { origin: ORIGIN } });
    expect(log).toEqual(['a>', 'b>', 'h', '<b', '<a']);
    expect([ok.status, ok.headers['x-request-id'], ok.headers['access-control-allow-origin']]).toEqual([200, 'id-1', ORIGIN]);
    log.length = 0;
    const denied = await inject(app, { url: '/', headers: { origin: ORIGIN, 'x-deny': '1' } });
    expect(log).toEqual(['a>', 'b>', '<b', '<a']);
    expect([denied.status, denied.text(), denied.headers['x-request-id'], denied.headers['access-control-allow-origin']]).toEqual([
      403, 'denied', 'id-1', ORIGIN,
    ]);
  });

  it('a user middleware outside them sees their headers on the Response (they are not deferred then)', async () => {
    const app = new App({ logger: false });
    const seen: Array<string | null> = [];
    app.use((_req, next) => mapResponse(next(), (res) => void seen.push(res.headers.get('x-request-id'), res.headers.get('vary'))));
    app.use(requestId({ generate: () => 'inner-id' }), cors({ origin: [ORIGIN] }));
    app.get('/', () => 'ok');
    const res = await inject(app, '/');
    expect(seen).toEqual(['inner-id', 'Origin']);
    expect([res.headers['x-request-id'], res.headers['vary']]).toEqual(['inner-id', 'Origin']);
  });

  it('recorded headers merge with the response: its own X-Request-Id wins, its Vary gets Origin added once', async () => {
    const app = new App({ logger: false });
    app.use(requestId({ generate: () => 'gen' }), cors({ origin: [ORIGIN] }));
    app.get('/own', () => new Response('x', { headers: { 'x-request-id': 'mine', vary: 'Accept-Encoding' } }));
    app.get('/vary-origin', () => new Response('x', { headers: { vary: 'origin' } }));
    app.get('/json', () => ({ a: 1 }));
    app.get('/none', () => null);
    const own = await inject(app, '/own');
    expect(lines(own, 'x-request-id')).toEqual(['mine']);
    expect(lines(own, 'vary')).toEqual(['Accept-Encoding, Origin']);
    expect(lines(await inject(app, '/vary-origin'), 'vary')).toEqual(['origin']);
    const json = await inject(app, '/json');
    expect([json.status, json.headers['content-type'], json.text()]).toEqual([200, 'application/json', '{"a":1}']);
    expect([json.headers['x-request-id'], json.headers['vary']]).toEqual(['gen', 'Origin']);
    const none = await inject(app, '/none');
    expect([none.status, none.headers['x-request-id'], none.headers['vary']]).toEqual([204, 'gen', 'Origin']);
  });

  it('headers recorded for an async handler, an error, a 404 and a HEAD request are applied once each', async () => {
    const app = new App({ logger: false });
    app.use(requestId({ context: true }), cors({ origin: [ORIGIN], credentials: true, exposedHeaders: ['x-request-id'] }));
    app.get('/async', async () => {
      await new Promise((r) => setImmediate(r));
      return `async ${currentRequestId()}`;
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/text', () => 'hello');
    const raw = ['/async', '/boom', '/nope', '/text']
      .map((p) => `GET ${p} HTTP/1.1\r\nHost: t\r\nOrigin: ${ORIGIN}\r\nX-Request-Id: rid-${p.slice(1)}\r\n\r\n`)
      .join('');
    const head = `HEAD /text HTTP/1.1\r\nHost: t\r\nOrigin: ${ORIGIN}\r\n\r\n`;
    const res = await injectAll(app, raw + head, [false, false, false, false, true]);
    expect(res.map((r) => r.status)).toEqual([200, 500, 404, 200, 200]);
    expect(res[0]!.text()).toBe('async rid-async');
    expect(res.slice(0, 4).map((r) => lines(r, 'x-request-id'))).toEqual([['rid-async'], ['rid-boom'], ['rid-nope'], ['rid-text']]);
    for (const r of res) {
      expect(lines(r, 'access-control-allow-origin')).toEqual([ORIGIN]);
      expect(lines(r, 'access-control-allow-credentials')).toEqual(['true']);
      expect(lines(r, 'access-control-expose-headers')).toEqual(['x-request-id']);
      expect(lines(r, 'vary')).toEqual(['Origin']);
    }
    expect([res[4]!.headers['content-length'], res[4]!.text()]).toEqual(['5', '']);
  });

  it('onResponse hooks see the recorded headers', async () => {
    const app = new App({ logger: false });
    const seen: Array<string | null> = [];
    app.onResponse((_req, res) => {
      seen.push(res.headers.get('x-request-id'));
    });
    app.use(requestId({ generate: () => 'hooked' }));
    app.get('/', () => 'ok');
    expect((await inject(app, '/')).headers['x-request-id']).toBe('hooked');
    expect(seen).toEqual(['hooked']);
  });

  it('a preflight is answered by cors with the outer request id', async () => {
    const app = new App({ logger: false });
    app.use(requestId({ generate: () => 'pf' }), cors({ origin: [ORIGIN] }), () => 'never here');
    app.get('/', () => 'ok');
    const res = await inject(app, { method: 'OPTIONS', url: '/', headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
    expect([res.status, res.headers['x-request-id'], res.headers['access-control-allow-origin']]).toEqual([204, 'pf', ORIGIN]);
  });

  it('generated ids are unique with one per-process prefix; invalid custom ids and options fail clearly', async () => {
    const app = new App({ logger: false });
    app.use(requestId());
    app.get('/', () => 'ok');
    const raw = 'GET / HTTP/1.1\r\nHost: t\r\n\r\n'.repeat(50);
    const ids = (await injectAll(app, raw)).map((r) => r.headers['x-request-id']!);
    expect(new Set(ids).size).toBe(50);
    expect(new Set(ids.map((id) => id.split('-')[0])).size).toBe(1);
    const bad = new App({ logger: false });
    bad.use(requestId({ generate: () => 'a\r\nb' }));
    bad.get('/', () => 'ok');
    const res = await inject(bad, '/');
    expect(res.status).toBe(500);
    expect(res.headers['x-request-id']).toBeUndefined();
    expect(() => requestId({ header: 'bad header' })).toThrow(TypeError);
    expect(() => cors({ exposedHeaders: ['a\nb'] })).toThrow(TypeError);
  });

  it('each 404 of an app with middleware carries its own request\'s id and CORS headers (no shared constant Response)', async () => {
    const app = new App({ logger: false });
    app.use(requestId(), cors({ origin: [ORIGIN] }));
    app.get('/', () => 'ok');
    const a = await inject(app, { url: '/nope', headers: { origin: ORIGIN } });
    const b = await inject(app, { url: '/nope' });
    const c = await inject(app, { url: '/nope', headers: { 'x-request-id': 'mine' } });
    expect([a.status, b.status, c.status]).toEqual([404, 404, 404]);
    expect(a.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(b.headers['access-control-allow-origin']).toBeUndefined();
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    expect(c.headers['x-request-id']).toBe('mine');
  });

  it('the context is opt-in: context false or unset gives ids without one, true gives it', async () => {
    for (const context of [false, undefined, true]) {
      const app = new App({ logger: false });
      app.use(requestId({ generate: () => 'an-id', ...(context === undefined ? {} : { context }) }));
      app.get('/', async () => {
        await Promise.resolve();
        return String(currentRequestId());
      });
      const res = await inject(app, '/');
      expect([context, res.text(), res.headers['x-request-id']]).toEqual([context, context === true ? 'an-id' : 'undefined', 'an-id']);
    }
  });
});

describe('pooled requests', () => {
  it('a request kept past its response caches nothing that the next request on the same object sees', async () => {
    const app = new App({ logger: false });
    let kept: Request | undefined;
    let same = false;
    app.get('/a', (req) => {
      kept = req;
      return 'a';
    });
    app.get('/b', (req) => {
      same = req === kept;
      return `${req.header('x-b')} ${req.query.get('q')} ${req.headers['x-b']} ${req.cookies['c']}`;
    });
    const server = await startTestServer(app);
    try {
      await rawRequest(server.port, 'GET /a?q=1 HTTP/1.1\r\nHost: t\r\nX-B: stale\r\nCookie: c=old\r\n\r\n', { responses: 1 });
      // misuse: read the request after its response (it is back in the pool)
      expect([kept!.header('x-b'), kept!.headers['x-b'], kept!.query.get('q'), kept!.cookies['c']]).toEqual([undefined, undefined, null, undefined]);
      const { responses } = await rawRequest(server.port, 'GET /b?q=2 HTTP/1.1\r\nHost: t\r\nX-B: fresh\r\nCookie: c=new\r\n\r\n', { responses: 1 });
      expect(same).toBe(true); // the same pooled object served both
      expect(responses[0]!.text()).toBe('fresh 2 fresh new');
    } finally {
      await server.close();
    }
  });
});

describe.each(TRANSPORTS)('jato middleware fast path over real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('pipelined sync and async requests each get their own id and CORS headers, in order', async () => {
    const app = new App({ transport, logger: false });
    app.use(requestId({ context: true }), cors({ origin: [ORIGIN] }), (req, next) => (req.header('x-deny') === undefined ? next() : 'denied'));
    app.get('/', () => 'Hello world!');
    app.get('/async', async () => {
      await Promise.resolve();
      return `id ${currentRequestId()}`;
    });
    server = await startTestServer(app);
    const reqs = ['/', '/async', '/', '/async', '/'];
    const raw = reqs.map((p, i) => `GET ${p} HTTP/1.1\r\nHost: t\r\n${i % 2 === 0 ? `Origin: ${ORIGIN}\r\n` : ''}${i === 4 ? 'X-Deny: 1\r\n' : ''}\r\n`).join('');
    const { responses } = await rawRequest(server.port, raw, { responses: reqs.length });
    expect(responses.map((r) => r.text().slice(0, 3))).toEqual(['Hel', 'id ', 'Hel', 'id ', 'den']);
    const ids = responses.map((r) => r.headers['x-request-id']!);
    expect(new Set(ids).size).toBe(5);
    expect(responses[1]!.text()).toBe(`id ${ids[1]}`);
    expect(responses.map((r) => r.headers['access-control-allow-origin'] ?? '-')).toEqual([ORIGIN, '-', ORIGIN, '-', ORIGIN]);
    expect(responses.map((r) => lines(r, 'vary'))).toEqual([['Origin'], ['Origin'], ['Origin'], ['Origin'], ['Origin']]);
  });
});
