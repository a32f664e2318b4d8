// serve({ fetch }): the lazy Request, the Response paths, abort on client close, waitUntil, env, errors,
// over real sockets on both transports.
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type FetchEnv, type FetchHandler, type FetchServer } from '../../src/index.js';
import { lazyStats } from '../../src/fetch/lazy-request.js';
import { prng } from '../support/prng.js';
import { rawRequest } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

let server: FetchServer | null = null;

async function start(fetch: FetchHandler, extra: Record<string, unknown> = {}): Promise<number> {
  server = serve({ fetch, port: 0, host: '127.0.0.1', logger: false, handleSignals: false, ...extra });
  return (await server.ready).port;
}

afterEach(async () => {
  await server?.close(2000);
  server = null;
});

/** Send pipelined raw requests and wait for their responses. */
async function raw(port: number, requests: string[]) {
  return (await rawRequest(port, requests.join(''), { responses: requests.length })).responses;
}

describe.each(TRANSPORTS)('serve({ fetch }) (%s transport)', (transport) => {
  const go = (fetch: FetchHandler, extra: Record<string, unknown> = {}) => start(fetch, { transport, ...extra });

  it('builds nothing the handler does not read: no Headers, no URL for a handler touching nothing', async () => {
    const port = await go(() => new Response('x'));
    const before = { ...lazyStats };
    const res = await raw(port, Array.from({ length: 50 }, () => 'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\r\n'));
    expect(res.map((r) => r.text())).toEqual(Array(50).fill('x'));
    expect(lazyStats.headers - before.headers).toBe(0);
    expect(lazyStats.urls - before.urls).toBe(0);
  });

  it('a handler reading only the URL builds no Headers; one reading headers builds one per request', async () => {
    const port = await go((req) => new Response(new URL(req.url).pathname === '/h' ? String(req.headers.get('x-a')) : req.url));
    let before = { ...lazyStats };
    const urls = await raw(port, Array.from({ length: 20 }, (_, i) => `GET /u/${i}?q=${i} HTTP/1.1\r\nHost: example.com:8080\r\n\r\n`));
    expect(urls.map((r) => r.text())).toEqual(Array.from({ length: 20 }, (_, i) => `http://example.com:8080/u/${i}?q=${i}`));
    expect(lazyStats.headers - before.headers).toBe(0);
    expect(lazyStats.urls - before.urls).toBe(20);
    before = { ...lazyStats };
    const hs = await raw(port, Array.from({ length: 20 }, (_, i) => `GET /h HTTP/1.1\r\nHost: a\r\nX-A: v${i}\r\n\r\n`));
    expect(hs.map((r) => r.text())).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`));
    expect(lazyStats.headers - before.headers).toBe(20);
  });

  it('the URL is what the URL parser makes of Host and target (seeded targets and hosts)', async () => {
    const port = await go((req) => new Response(req.url));
    const r = prng(77);
    const hosts = ['a', 'Example.COM', 'example.com:80', 'example.com:8080', '127.0.0.1', '127.0.0.1:3000', '127.1', '0x7f.0.0.1:99', 'x-y.z:65535', '[::1]:8080', '1.2.3.04'];
    const pieces = ['a', 'B', '.', '..', '%2e', '%41', '%zz', '~', "'", '!', '$', '(', ')', '*', ',', ';', '=', ':', '@', '-', '_', '%20', '{', '|', '^', '`', '"', '\\'];
    const cases: Array<[string, string]> = [];
    for (let i = 0; i < 200; i++) {
      const segs = Array.from({ length: 1 + Math.floor(r() * 4) }, () => Array.from({ length: Math.floor(r() * 3) }, () => pieces[Math.floor(r() * pieces.length)]!).join(''));
      let target = `/${segs.join('/')}`;
      if (r() < 0.4) target += `?${Array.from({ length: 1 + Math.floor(r() * 3) }, () => pieces[Math.floor(r() * pieces.length)]!).join('')}=${pieces[Math.floor(r() * pieces.length)]}`;
      cases.push([hosts[Math.floor(r() * hosts.length)]!, target.replace(/[\\"^`{|}]/g, r() < 0.5 ? '' : '%7C')]);
    }
    const res = await raw(port, cases.map(([h, t]) => `GET ${t} HTTP/1.1\r\nHost: ${h}\r\nConnection: keep-alive\r\n\r\n`));
    for (let i = 0; i < cases.length; i++) {
      const [h, t] = cases[i]!;
      expect(res[i]!.text(), `${h} ${t}`).toBe(new URL(`http://${h}${t}`).href);
    }
  });

  it('is an instanceof Request with the runtime attributes, a clone and the body methods', async () => {
    const port = await go(async (req) => {
      const copy = req.clone();
      const info = {
        isRequest: req instanceof Request, method: req.method, cache: req.cache, mode: req.mode, redirect: req.redirect,
        bodyUsed: req.bodyUsed, text: await req.text(), cloneText: await copy.text(), usedAfter: req.bodyUsed,
      };
      return Response.json(info);
    });
    const [res] = await raw(port, ['POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello']);
    expect(res!.json()).toEqual({
      isRequest: true, method: 'POST', cache: 'default', mode: 'cors', redirect: 'follow',
      bodyUsed: false, text: 'hello', cloneText: 'hello', usedAfter: true,
    });
  });

  it('GET has a null body; json(), arrayBuffer(), blob() and formData() read a body', async () => {
    const port = await go(async (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/get') return new Response(String(req.body));
      if (path === '/json') return Response.json(await req.json());
      if (path === '/ab') return new Response(String((await req.arrayBuffer()).byteLength));
      if (path === '/blob') return new Response((await req.blob()).type);
      const form = await req.formData();
      return new Response(String(form.get('a')));
    });
    const res = await raw(port, [
      'GET /get HTTP/1.1\r\nHost: a\r\n\r\n',
      'POST /json HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n{"a":1}',
      'POST /ab HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
      'POST /blob HTTP/1.1\r\nHost: a\r\nContent-Type: text/x-y\r\nContent-Length: 1\r\n\r\nz',
      'POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\na=b%21',
    ]);
    expect(res.map((r) => r.text())).toEqual(['null', '{"a":1}', '5', 'text/x-y', 'b!']);
  });

  it('stays valid after the response (sealed): headers, URL and a whole body read in waitUntil work', async () => {
    let later!: (v: string) => void;
    const seen = new Promise<string>((r) => (later = r));
    const port = await go((req, env) => {
      env.waitUntil((async () => {
        await Promise.resolve();
        later(`${req.url} ${req.headers.get('x-a')} ${await req.text()}`);
      })());
      return new Response('ok');
    });
    // more requests after it reuse jato's request objects and batch memory
    const res = await raw(port, [
      'POST /first HTTP/1.1\r\nHost: a\r\nX-A: one\r\nContent-Length: 3\r\n\r\nabc',
      'POST /second HTTP/1.1\r\nHost: b\r\nX-A: two\r\nContent-Length: 3\r\n\r\nxyz',
    ]);
    expect(res.map((r) => r.text())).toEqual(['ok', 'ok']);
    expect(await seen).toBe('http://a/first one abc');
  });

  it('passes env and ctx: remote address (Hono getConnInfo works), waitUntil that close() waits for', async () => {
    const app = new Hono<{ Bindings: FetchEnv }>();
    let finishWork!: () => void;
    let workDone = false;
    app.get('/', (c) => {
      const info = getConnInfo(c as never);
      c.executionCtx.waitUntil(new Promise<void>((r) => (finishWork = r)).then(() => (workDone = true)));
      return c.json({ addr: c.env.remoteAddress, port: typeof c.env.remotePort, info: info.remote.address, family: info.remote.addressType });
    });
    const port = await go(app.fetch);
    const [res] = await raw(port, ['GET / HTTP/1.1\r\nHost: a\r\n\r\n']);
    expect(res!.json()).toEqual({ addr: '127.0.0.1', port: 'number', info: '127.0.0.1', family: 'IPv4' });
    const closing = server!.close(5000);
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    finishWork();
    await closing;
    expect(workDone).toBe(true);
    server = null;
  });

  it('request.signal aborts when the client closes the connection', async () => {
    let reached!: () => void;
    const arrived = new Promise<void>((r) => (reached = r));
    let aborted!: (reason: unknown) => void;
    const abortSeen = new Promise<unknown>((r) => (aborted = r));
    const port = await go((req) => {
      req.signal.addEventListener('abort', () => aborted(req.signal.reason));
      reached();
      return new Promise<Response>(() => {}); // never answers
    });
    const socket = net.connect(port, '127.0.0.1');
    socket.write('GET /wait HTTP/1.1\r\nHost: a\r\n\r\n');
    await arrived;
    socket.destroy();
    expect(String(await abortSeen)).toMatch(/AbortError|closed/);
    await server!.close(0); // the handler never answers: do not wait for it
    server = null;
  });

  it('errors are logged 500s: a throw, a rejection, a non-Response, Response.error()', async () => {
    const port = await go((req) => {
      const p = new URL(req.url).pathname;
      if (p === '/throw') throw new Error('boom');
      if (p === '/reject') return Promise.reject(new Error('no'));
      if (p === '/bad') return 'text' as unknown as Response;
      return Response.error();
    });
    const res = await raw(port, ['/throw', '/reject', '/bad', '/error'].map((p) => `GET ${p} HTTP/1.1\r\nHost: a\r\n\r\n`));
    expect(res.map((r) => r.status)).toEqual([500, 500, 500, 500]);
  });

  it('a request without Host gets a 400 when the handler reads the URL', async () => {
    const port = await go((req) => new Response(req.url));
    const [res] = await raw(port, ['GET / HTTP/1.0\r\n\r\n']);
    expect(res!.status).toBe(400);
  });

  it('streams a large response body with backpressure and a large request body in', async () => {
    const total = 24 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
    let produced = 0;
    const port = await go(async (req) => {
      if (req.method === 'POST') {
        const hash = createHash('sha256');
        let size = 0;
        for await (const c of req.body! as unknown as AsyncIterable<Uint8Array>) {
          hash.update(c);
          size += c.byteLength;
        }
        return Response.json({ size, sha: hash.digest('hex') });
      }
      return new Response(new ReadableStream<Uint8Array>({
        pull(c) {
          if (produced >= total) return c.close();
          produced += chunk.byteLength;
          c.enqueue(chunk);
        },
      }, { highWaterMark: 1 }));
    }, { limits: { maxStreamBodyBytes: 64 * 1024 * 1024 } });
    // download, reading slowly: the server never runs far ahead of what the client read
    const socket = net.connect(port, '127.0.0.1');
    socket.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n');
    let received = 0;
    let maxAhead = 0;
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (d: Buffer) => {
        received += d.byteLength;
        maxAhead = Math.max(maxAhead, produced - received);
        if (received >= total) resolve();
        socket.pause();
        setImmediate(() => socket.resume());
      });
      socket.on('error', reject);
    });
    socket.destroy();
    expect(produced).toBe(total);
    expect(maxAhead).toBeLessThan(12 * 1024 * 1024); // socket buffers + the high-water mark, not the whole body
    // upload: a streamed request body on either transport, hashed by the handler
    const body = new Uint8Array(20 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const up = await fetch(`http://127.0.0.1:${port}/up`, { method: 'POST', body });
    expect(await up.json()).toEqual({ size: body.byteLength, sha: createHash('sha256').update(body).digest('hex') });
  });
});
