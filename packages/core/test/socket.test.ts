import { afterEach, describe, expect, it } from 'vitest';
import { App, Response } from '../src/index.js';
import { rawRequest, startTestServer, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

describe.each(TRANSPORTS)('over real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function makeApp() {
    const app = new App({ transport, logger: false });
    app.get('/', () => 'Hello world!');
    app.get('/json', () => ({ message: 'Hello, World!' }));
    app.get('/async', async () => {
      await Promise.resolve();
      return 'Hello world!';
    });
    app.get('/slow/:ms', async (req) => {
      await new Promise((r) => setTimeout(r, Number(req.params.ms)));
      return `slow ${req.params.ms}`;
    });
    app.post('/echo', async (req) => new Response(await req.bytes(), { headers: { 'content-type': req.header('content-type') ?? 'application/octet-stream' } }));
    app.get('/remote', (req) => ({ address: req.remoteAddress, port: req.remotePort, host: req.hostname, hport: req.port ?? null }));
    app.get('/boom', () => {
      throw new Error('x');
    });
    return app;
  }

  it('uses the requested transport and serves fetch()', async () => {
    server = await startTestServer(makeApp());
    expect(server.transport).toBe(transport);
    const res = await fetch(`${server.url}/json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('server')).toBe('jato');
    expect(res.headers.get('date')).toMatch(/GMT$/);
    expect(await res.json()).toEqual({ message: 'Hello, World!' });
  });

  it('answers 24 pipelined requests mixing sync, async and errors in order', async () => {
    server = await startTestServer(makeApp());
    const paths = Array.from({ length: 24 }, (_, i) => ['/', '/async', '/json', '/slow/3', '/boom', '/nope'][i % 6]!);
    const raw = paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: t\r\n\r\n`).join('');
    const { responses } = await rawRequest(server.port, raw, { responses: 24 });
    expect(responses.map((r) => r.status)).toEqual(paths.map((p) => (p === '/boom' ? 500 : p === '/nope' ? 404 : 200)));
    expect(responses[3]!.text()).toBe('slow 3');
    expect(responses[1]!.text()).toBe('Hello world!');
  });

  it('async requests keep their own data while earlier ones are answered and their objects reused', async () => {
    const app = new App({ transport, logger: false });
    app.get('/a/:n', async (req) => {
      await Promise.resolve();
      await null;
      return `${req.params.n} ${req.header('x-n')} ${req.query.get('q')} ${req.path}`;
    });
    // a Web Response is read asynchronously after the handler settled: its request must stay intact
    app.get('/web/:n', async (req) => new globalThis.Response(`web ${req.params.n} ${req.header('x-n')}`));
    server = await startTestServer(app);
    for (let round = 0; round < 3; round++) {
      const expected: string[] = [];
      let raw = '';
      for (let i = 0; i < 24; i++) {
        const n = round * 24 + i;
        const web = i % 5 === 0;
        raw += `GET /${web ? 'web' : 'a'}/${n}?q=${i} HTTP/1.1\r\nHost: t\r\nX-N: v${round}-${i}\r\n\r\n`;
        expected.push(web ? `web ${n} v${round}-${i}` : `${n} v${round}-${i} ${i} /a/${n}`);
      }
      const { responses } = await rawRequest(server.port, raw, { responses: 24 });
      expect(responses.map((r) => r.text())).toEqual(expected);
    }
  });

  it('a Web Response still being read keeps its request when later async requests arrive', async () => {
    const app = new App({ transport, logger: false });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reading!: () => void;
    const started = new Promise<void>((r) => (reading = r));
    app.get('/web-wait', async () => new globalThis.Response(new ReadableStream({
      async pull(c) {
        reading();
        await gate;
        c.enqueue(new TextEncoder().encode('late'));
        c.close();
      },
    })));
    app.get('/release', async (req) => {
      await null;
      release();
      return `released ${req.header('x-n')}`;
    });
    server = await startTestServer(app);
    const first = rawRequest(server.port, 'GET /web-wait HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1, timeoutMs: 10_000 });
    await started;
    const second = await rawRequest(server.port, 'GET /release HTTP/1.1\r\nHost: t\r\nX-N: 2\r\n\r\n', { responses: 1 });
    expect(second.responses.map((r) => r.text())).toEqual(['released 2']);
    expect((await first).responses.map((r) => r.text())).toEqual(['late']);
  });

  it('echoes a body byte for byte, split over several writes', async () => {
    server = await startTestServer(makeApp());
    const body = Buffer.alloc(100_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7919) % 256;
    const head = `POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-bin\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { responses } = await rawRequest(server.port, [head, body.subarray(0, 500), body.subarray(500)], { responses: 1 });
    expect(responses[0]!.headers['content-type']).toBe('application/x-bin');
    expect(Buffer.from(responses[0]!.body).equals(body)).toBe(true);
  });

  it('closes after a Connection: close request, and after HTTP/1.0 without keep-alive', async () => {
    server = await startTestServer(makeApp());
    const a = await rawRequest(server.port, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    expect(a.closed).toBe(true);
    expect(a.responses.map((r) => [r.status, r.headers['connection']])).toEqual([[200, 'close']]);
    const b = await rawRequest(server.port, 'GET /json HTTP/1.0\r\n\r\n');
    expect(b.closed).toBe(true);
    expect(b.responses[0]!.json()).toEqual({ message: 'Hello, World!' });
  });

  it('knows the remote address and the Host', async () => {
    server = await startTestServer(makeApp());
    const { responses } = await rawRequest(server.port, 'GET /remote HTTP/1.1\r\nHost: example.test:81\r\n\r\n', { responses: 1 });
    const v = responses[0]!.json<{ address: string; port: number; host: string; hport: number }>();
    expect(v.address).toMatch(/127\.0\.0\.1$/);
    expect(v.port).toBeGreaterThan(0);
    expect([v.host, v.hport]).toEqual(['example.test', 81]);
  });

  it('aborts req.signal when the client goes away, and keeps serving', async () => {
    const app = new App({ transport, logger: false });
    let resolveAborted!: (reason: unknown) => void;
    const aborted = new Promise((r) => (resolveAborted = r));
    let resolveStarted!: () => void;
    const started = new Promise<void>((r) => (resolveStarted = r));
    app.get('/wait', async (req) => {
      const signal = req.signal;
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          resolveAborted(signal.reason);
          resolve();
        });
        resolveStarted();
      });
      return 'too late';
    });
    app.get('/', () => 'still here');
    server = await startTestServer(app);
    const net = await import('node:net');
    const sock = net.connect(server.port, '127.0.0.1');
    sock.write('GET /wait HTTP/1.1\r\nHost: t\r\n\r\n');
    await started;
    sock.resetAndDestroy(); // an RST: a FIN alone is a legitimate half-close that still awaits the answer
    const reason = await aborted;
    expect((reason as DOMException).name).toBe('AbortError');
    const { responses } = await rawRequest(server.port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 });
    expect(responses[0]!.text()).toBe('still here');
  });

  it('aborts req.signal when the client half-closes (FIN) with the request pending, and frees the socket', async () => {
    const app = new App({ transport, logger: false, timeouts: { keepAlive: 1000 } });
    let resolveAborted!: (reason: unknown) => void;
    const aborted = new Promise((r) => (resolveAborted = r));
    let resolveStarted!: () => void;
    const started = new Promise<void>((r) => (resolveStarted = r));
    app.get('/never', (req) => {
      req.signal.addEventListener('abort', () => resolveAborted(req.signal.reason));
      resolveStarted();
      return new Promise<string>(() => {}); // never settles: only the FIN can end this request
    });
    app.get('/', () => 'still here');
    server = await startTestServer(app);
    const net = await import('node:net');
    const sock = net.connect(server.port, '127.0.0.1');
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.on('data', () => {});
    sock.write('GET /never HTTP/1.1\r\nHost: t\r\n\r\n');
    await started;
    sock.end(); // a plain FIN, no RST
    const reason = await aborted;
    expect((reason as DOMException).name).toBe('AbortError');
    await closed; // the server closes its side too (within the keep-alive bound), holding no fd
    const { responses } = await rawRequest(server.port, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 });
    expect(responses[0]!.text()).toBe('still here');
  });

  it('request, response, error, hook and extension features work over the socket', async () => {
    class Teapot extends Error {}
    const app = new App({ transport, logger: false })
      .extend('lang', { get: (req) => req.query.get('lang') ?? 'en' })
      .extend('shout', (_req, s: string) => s.toUpperCase());
    app.onRequest((req) => (req.header('x-block') !== undefined ? new Response('blocked', { status: 403 }) : undefined));
    app.onResponse((req, res) => {
      res.headers.set('x-lang', req.lang);
    });
    app.onError(Teapot, () => new Response('short and stout', { status: 418 }));
    app.post('/form', async (req) => {
      const form = await req.form();
      return { title: form.field('title'), file: form.file('f')?.text(), cookie: req.cookies.c, q: req.query.getAll('q') };
    });
    app.get('/cookie', (req) => Response.redirect(`/after?lang=${req.lang}`, 303).cookie('s', 'v', { httpOnly: true, path: '/' }));
    app.get('/tea', () => {
      throw new Teapot();
    });
    app.get('/shout', (req) => req.shout(req.lang));
    server = await startTestServer(app);
    const multipart = '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nT\r\n' +
      '--b\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\n\r\nfile body\r\n--b--\r\n';
    const res = await fetch(`${server.url}/form?q=1&q=2&lang=pt`, {
      method: 'POST', body: multipart, headers: { 'content-type': 'multipart/form-data; boundary=b', cookie: 'c=3' },
    });
    expect(await res.json()).toEqual({ title: 'T', file: 'file body', cookie: '3', q: ['1', '2'] });
    expect(res.headers.get('x-lang')).toBe('pt');
    const redirect = await fetch(`${server.url}/cookie?lang=de`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location'), redirect.headers.get('set-cookie')]).toEqual([303, '/after?lang=de', 's=v; Path=/; HttpOnly']);
    const tea = await fetch(`${server.url}/tea`);
    expect([tea.status, await tea.text()]).toEqual([418, 'short and stout']);
    expect(await (await fetch(`${server.url}/shout?lang=fr`)).text()).toBe('FR');
    expect((await fetch(`${server.url}/shout`, { headers: { 'x-block': '1' } })).status).toBe(403);
  });

  it('passes limits and timeouts to the transport', async () => {
    // keep-alive 1 s: it also bounds the wait for a connection's first byte, which a busy machine
    // could otherwise stall past between connect and write
    const app = new App({ transport, limits: { maxBodyBytes: 8 }, timeouts: { keepAlive: 1000 } });
    app.post('/', async (req) => `got ${(await req.bytes()).length}`);
    server = await startTestServer(app);
    const big = await rawRequest(server.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n123456789');
    expect(big.responses[0]!.status).toBe(413);
    // keep-alive idle timeout: the server closes the idle connection by itself (no client timer)
    const idle = await rawRequest(server.port, 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\n12345678');
    expect(idle.closed).toBe(true);
    expect(idle.responses.map((r) => r.text())).toEqual(['got 8']);
  });

  it('answers HEAD with headers only', async () => {
    server = await startTestServer(makeApp());
    const { responses } = await rawRequest(server.port, 'HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n', {
      responses: 2, head: [true, false],
    });
    expect(responses.map((r) => [r.status, r.headers['content-length'], r.body.length])).toEqual([[200, '12', 0], [200, '12', 12]]);
  });
});

describe('app.handler() with the transport directly', () => {
  it('serves through @jato/native-loop createServer', async () => {
    const { createServer } = await import('@jato/native-loop');
    const app = new App();
    app.get('/', () => 'direct');
    const server = createServer({ host: '127.0.0.1', port: 0, transport: 'js' }, app.handler());
    const { port } = await server.listen();
    try {
      const { responses } = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { responses: 1 });
      expect([responses[0]!.status, responses[0]!.text()]).toEqual([200, 'direct']);
      expect(responses[0]!.headers['date']).toMatch(/GMT$/);
    } finally {
      await server.close();
    }
  });
});
