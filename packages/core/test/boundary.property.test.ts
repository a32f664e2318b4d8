import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, HttpError, Response, type Logger } from '../src/index.js';
import { prng } from './support/prng.js';
import { parseStrict } from './support/strict-responses.js';
import { parseResponses, startTestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

// Issue 9, "the boundary is total", as a property: seeded apps whose handlers, hooks, error
// handlers, not-found/405 handlers and loggers throw or return odd values at every step (results,
// statuses, reason phrases, headers, cookies, bodies, thenables), driven with pipelined requests
// split at random points over real sockets. Whatever they do, the process lives and every request
// gets exactly one well-formed response, in order: each random request is followed by
// `GET /echo/<k>`, whose answer must be the (k+1)-th pair's second response.
// Also run against the ASan+UBSan build of the addon (packages/native-loop/test/sanitize/run.mjs).

const SEEDS = Number(process.env.JATO_PROPERTY_SEEDS ?? 6);
const CONNECTIONS = 3;
const PAIRS = 30;

type Rnd = () => number;
const pick = <T>(rnd: Rnd, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

class CustomError extends Error {}

/** A Proxy that throws from every trap (as an error, a result or a header value). */
const hostile = (): object =>
  new Proxy({}, {
    get() { throw new Error('hostile get'); },
    getPrototypeOf() { throw new Error('hostile getPrototypeOf'); },
    has() { throw new Error('hostile has'); },
    ownKeys() { throw new Error('hostile ownKeys'); },
    getOwnPropertyDescriptor() { throw new Error('hostile descriptor'); },
  });

type Loose = Record<string, unknown>;
const mutated = (change: (r: Loose) => void): Response => {
  const res = new Response('mutated');
  change(res as unknown as Loose);
  return res;
};

/** Values a handler (or hook, or error handler) may produce; `p` is the request's param. */
const VALUES: ReadonlyArray<(p: string) => unknown> = [
  () => 'ok',
  (p) => `param ${p}`,
  () => 'héllo € \ud800',
  () => 12345,
  () => true,
  () => ({ a: 1, b: [1, 'x'] }),
  () => null,
  () => undefined,
  () => new Uint8Array([1, 2, 3]),
  () => new ArrayBuffer(3),
  () => 10n,
  () => { const o: Loose = {}; o.self = o; return o; },
  () => Symbol('s'),
  () => () => 1,
  () => ({ toJSON() { throw new Error('toJSON throws'); } }),
  () => Object.defineProperty({}, 'then', { get() { throw new Error('then getter throws'); } }),
  () => hostile(),
  () => ({ then(ok: (v: unknown) => void) { ok('first'); ok('second'); } }),
  () => ({ then() { throw new Error('then throws'); } }),
  () => ({ then(ok: (v: unknown) => void, fail: (e: unknown) => void) { setTimeout(() => { fail(new Error('late')); ok('later'); }, 1); } }),
  (p) => new Response(`resp ${p}`, { status: 201, headers: { 'x-a': '1' } }).cookie('c', p),
  () => new Response(null, { status: 204 }),
  () => new Response('not modified', { status: 304 }),
  () => Response.redirect('/elsewhere'),
  () => Response.json({ ok: true }),
  () => mutated((r) => (r.status = 1000)),
  () => mutated((r) => (r.status = '204')),
  () => mutated((r) => (r.status = 204)),
  () => mutated((r) => (r.statusText = 'OK\r\nInjected: 1')),
  () => mutated((r) => (r.statusText = 'Fine')),
  () => mutated((r) => (r.body = 12345)),
  () => mutated((r) => (r.body = { a: 1 })),
  () => mutated((r) => (r.body = new Uint8Array([9]))),
  () => mutated((r) => (r.headers = null)),
  () => mutated((r) => (r.defaultType = 'text/x\r\nInjected: 1')),
  (p) => new globalThis.Response(`web ${p}`, { status: 202, headers: { 'x-web': '1' } }),
  () => { const w = new globalThis.Response('used'); void w.text(); return w; },
  () => ({ arrayBuffer() { throw new Error('fake web'); }, status: 200, headers: { forEach() {} } }),
];

/** Things thrown (or rejected). */
const THROWN: ReadonlyArray<(p: string) => unknown> = [
  () => new Error('boom', { cause: new Error('root cause') }),
  () => new CustomError('custom'),
  () => new HttpError(404, 'missing'),
  () => new HttpError(503, 'unavailable'),
  (p) => new HttpError(404, 'missing', { headers: { 'x-missing-id': p } }),
  (p) => new HttpError(400, 'bad', { headers: { [p]: '1' } }),
  () => Object.defineProperty(new HttpError(404), 'status', { value: 1000 }),
  () => Object.defineProperty(new HttpError(404), 'headers', { value: { 'x-a': 'a\r\nInjected: 1' } }),
  () => Object.defineProperty(new HttpError(404), 'message', { value: { not: 'a string' } }),
  () => 'a string',
  () => null,
  () => undefined,
  () => hostile(),
  () => { const e = new Error('cyclic'); (e as { cause?: unknown }).cause = e; return e; },
];

type Step = (p: string) => unknown;

/** A behaviour fixed by the seed: produce a value or throw, now or later. */
function makeStep(rnd: Rnd, values = VALUES): Step {
  const throws = rnd() < 0.35;
  const make = throws ? pick(rnd, THROWN) : pick(rnd, values);
  const timing = pick(rnd, ['sync', 'sync', 'promise', 'async', 'timer'] as const);
  return (p) => {
    const now = (): unknown => {
      const v = make(p);
      if (throws) throw v;
      return v;
    };
    switch (timing) {
      case 'sync':
        return now();
      case 'promise':
        return Promise.resolve().then(now);
      case 'async':
        return (async () => {
          await null;
          return now();
        })();
      case 'timer':
        return new Promise((resolve) => setTimeout(resolve, 1)).then(now);
    }
  };
}

/** What an onResponse hook may do to a response. */
const RESPONSE_HOOKS: ReadonlyArray<(res: Response, p: string) => unknown> = [
  (res) => void res.headers.set('x-hooked', '1'),
  (res, p) => void res.headers.set('x-param', p),
  (res, p) => void res.cookie('c', 'v', { path: p }),
  (res) => void ((res as unknown as Loose).status = 1000),
  (res) => void ((res as unknown as Loose).statusText = 'x\r\ny: 1'),
  (res) => void ((res as unknown as Loose).body = { a: 1 }),
  () => { throw new Error('onResponse throws'); },
  () => 'an odd return value',
  () => new Response('replaced by a hook', { status: 202 }),
  () => Promise.reject(new Error('an ignored rejection')).catch(() => 'handled'),
];

function makeApp(seed: number, transport: 'native' | 'js'): App {
  const rnd = prng(seed);
  const throwingLogger = rnd() < 0.4;
  const logger: Logger = {
    error: () => {
      if (throwingLogger) throw new Error('logger throws');
    },
    warn: () => {},
    info: () => {},
  };
  const app = new App({ transport, logger, development: rnd() < 0.5 });
  const exempt = (path: string): boolean => path.startsWith('/echo/');
  app.get('/echo/:k', (req) => `echo ${req.params.k}`);
  for (let r = 0; r < 6; r++) {
    const step = makeStep(rnd);
    const path = `/r${r}/:p`;
    const handler = (req: { params: { p: string } }): unknown => step(req.params.p);
    if (rnd() < 0.3) app.all(path, handler as never);
    else app.get(path, handler as never).post(path, handler as never);
  }
  const hooks = Math.floor(rnd() * 3);
  for (let h = 0; h < hooks; h++) {
    const step = makeStep(rnd);
    const often = rnd() < 0.5;
    app.onRequest((req) => (exempt(req.path) || (often && req.method !== 'POST') ? undefined : step(req.path)) as never);
  }
  const resHooks = Math.floor(rnd() * 3);
  for (let h = 0; h < resHooks; h++) {
    const act = pick(rnd, RESPONSE_HOOKS);
    app.onResponse((req, res) => (exempt(req.path) ? undefined : act(res, req.path)) as never);
  }
  if (rnd() < 0.6) {
    const step = makeStep(rnd);
    app.onError(Error, ((_err: unknown, req: { path: string }) => step(req.path)) as never);
  }
  if (rnd() < 0.5) {
    const step = makeStep(rnd);
    app.onError(CustomError, ((_err: unknown, req: { path: string }) => step(req.path)) as never);
  }
  if (rnd() < 0.5) {
    const step = makeStep(rnd);
    app.notFound(((req: { path: string }) => step(req.path)) as never);
  }
  if (rnd() < 0.5) {
    const step = makeStep(rnd);
    app.methodNotAllowed(((req: { path: string }) => step(req.path)) as never);
  }
  return app;
}

const PARAMS = ['plain', '%E2%82%AC', '%C3%A9', '%0D%0AInjected:%201', 'a%20b', '%ZZ', '%00', 'x'.repeat(40)];

/** A random request (and whether it is HEAD). */
function randomRequest(rnd: Rnd): { text: string; head: boolean } {
  const method = pick(rnd, ['GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const);
  const path = rnd() < 0.1 ? '/nope' : rnd() < 0.05 ? 'http://abs.test/r1/abs' : `/r${Math.floor(rnd() * 6)}/${pick(rnd, PARAMS)}`;
  const body = method === 'POST' || method === 'PUT' ? 'x=1' : '';
  const length = body === '' ? '' : `Content-Length: ${body.length}\r\n`;
  return { text: `${method} ${path} HTTP/1.1\r\nHost: h.test\r\n${length}\r\n${body}`, head: method === 'HEAD' };
}

/** Sends `bytes` split at random points; resolves with everything received once `count` responses are complete. */
function drive(port: number, bytes: Buffer, count: number, head: readonly boolean[], rnd: Rnd): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out with ${Buffer.concat(chunks).length} bytes: ${Buffer.concat(chunks).toString('latin1').slice(-400)}`));
    }, 30_000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    socket.on('connect', () => {
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + Math.floor(rnd() * 600);
        socket.write(bytes.subarray(at, at + n));
        at += n;
      }
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      let done: number;
      try {
        done = parseResponses(Buffer.concat(chunks), { head }).responses.length;
      } catch (error) {
        return finish(error as Error);
      }
      if (done >= count) finish();
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`the server closed the connection: ${Buffer.concat(chunks).toString('latin1').slice(-400)}`)));
  });
}

describe.each(TRANSPORTS)('the boundary is total (%s transport): seeded hostile apps, pipelined', (transport) => {
  const escaped: unknown[] = [];
  const onEscape = (error: unknown): void => void escaped.push(error);
  beforeAll(() => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  afterAll(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  });

  it.each(Array.from({ length: SEEDS }, (_, i) => 9000 + i))('seed %i: one well-formed response per request, in order', async (seed) => {
    const server = await startTestServer(makeApp(seed, transport));
    try {
      const rnd = prng(seed * 7919);
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async (_, c) => {
          const head: boolean[] = [];
          let text = '';
          for (let k = 0; k < PAIRS; k++) {
            const r = randomRequest(rnd);
            text += `${r.text}GET /echo/${c}-${k} HTTP/1.1\r\nHost: h.test\r\n\r\n`;
            head.push(r.head, false);
          }
          const received = await drive(server.port, Buffer.from(text, 'latin1'), PAIRS * 2, head, rnd);
          const responses = parseStrict(received, head);
          expect(responses).toHaveLength(PAIRS * 2);
          for (let k = 0; k < PAIRS; k++) {
            const echo = responses[2 * k + 1]!;
            expect(echo.status, `pair ${k}`).toBe(200);
            expect(echo.body.toString(), `pair ${k}`).toBe(`echo ${c}-${k}`);
            const random = responses[2 * k]!;
            expect(random.headers.map(([n]) => n.toLowerCase())).not.toContain('injected');
          }
        }),
      );
      // still serving after all of it
      const after = await drive(server.port, Buffer.from('GET /echo/after HTTP/1.1\r\nHost: h\r\n\r\n'), 1, [false], rnd);
      expect(parseStrict(after, [false])[0]!.body.toString()).toBe('echo after');
      // settle callbacks, late thenables and timers have run: nothing escaped into the event loop
      await new Promise((r) => setTimeout(r, 20));
      expect(escaped).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
