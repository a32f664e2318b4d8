import { afterEach, describe, expect, it } from 'vitest';
import { App, cors, requestId, Response, type CorsOptions, type Middleware, type RequestIdOptions } from '../src/index.js';
import { prng } from './support/prng.js';
import { rawRequest, startTestServer, type TestResponse, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

const ORIGIN = 'https://app.example';
const GENERATED = /^[A-Za-z0-9]{12}-(\d+)$/;

/** One random middleware stack, as a recipe: each call makes fresh instances with the same options. */
function randomStack(rnd: () => number): () => Middleware[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const idOptions = pick<RequestIdOptions>([{}, { context: false }, { header: 'X-Id' }, { trustIncoming: false }]);
  const corsOptions = pick<CorsOptions>([
    {}, { origin: [ORIGIN] }, { origin: ORIGIN, credentials: true, exposedHeaders: ['X-A', 'X-B'] }, { credentials: true },
  ]);
  const kinds = ['id', 'cors', 'noop', 'deny'].filter(() => rnd() < 0.75);
  for (let k = kinds.length - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    [kinds[k], kinds[j]] = [kinds[j]!, kinds[k]!];
  }
  return () => kinds.map((kind): Middleware => {
    if (kind === 'id') return requestId(idOptions);
    if (kind === 'cors') return cors(corsOptions);
    if (kind === 'noop') return (_req, next) => next();
    return (req, next) => (req.header('x-deny') === undefined ? next() : 'denied');
  });
}

function appWith(transport: (typeof TRANSPORTS)[number], middleware: Middleware[]): App {
  const app = new App({ transport, logger: false });
  app.use(...middleware);
  app.get('/', () => 'Hello world!');
  app.get('/json', () => ({ ok: true }));
  app.get('/own', () => new Response('own', { headers: { 'X-Request-Id': 'mine', 'X-Id': 'mine', Vary: 'Accept' } }));
  return app;
}

/** Random pipelined requests (the last one may close the connection). */
function randomRequests(rnd: () => number, n: number): { raw: string; head: boolean[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let raw = '';
  const head: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const method = rnd() < 0.15 ? 'HEAD' : 'GET';
    const last = i === n - 1;
    const version = last && rnd() < 0.3 ? 'HTTP/1.0' : 'HTTP/1.1';
    let h = `${method} ${pick(['/', '/', '/', '/json', '/own', '/missing'])} ${version}\r\nHost: t\r\n`;
    const origin = pick([null, ORIGIN, 'https://other.example']);
    if (origin !== null) h += `Origin: ${origin}\r\n`;
    if (rnd() < 0.2) h += `X-Request-Id: ${pick(['abc-1', 'bad id!', 'x'.repeat(201), 'Q.q:1@2/3+4=5-6'])}\r\n`;
    if (rnd() < 0.1) h += 'X-Deny: 1\r\n';
    if (last && version === 'HTTP/1.1' && rnd() < 0.3) h += 'Connection: close\r\n';
    else if (version === 'HTTP/1.0' && rnd() < 0.5) h += 'Connection: keep-alive\r\n';
    raw += `${h}\r\n`;
    head.push(method === 'HEAD');
  }
  return { raw, head };
}

/** A response's header lines (but Date) with generated ids as `<id>`, sorted, its status and body. */
function shape(res: TestResponse): { status: number; lines: string[]; body: string } {
  const lines = res.rawHeaders
    .filter(([n]) => n.toLowerCase() !== 'date')
    .map(([n, v]) => `${n}: ${GENERATED.test(v) ? '<id>' : v}`)
    .sort();
  return { status: res.status, lines, body: Buffer.from(res.body).toString('latin1') };
}

describe.each(TRANSPORTS)('jato middleware recorded on the request vs applied to a Response (%s transport)', (transport) => {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  it('random stacks and requests: the same status, header lines and body either way; generated ids count up from one prefix (no response carries another one\'s)', async () => {
    for (const seed of [3, 17, 101, 2024, 77777, 424242]) {
      const rnd = prng(seed);
      const stack = randomStack(rnd);
      // the stack as the app's own chain (jato middleware outermost: headers recorded, ids as numbers)...
      const fast = await startTestServer(appWith(transport, stack()));
      // ...and behind a user middleware, which makes them build and set Responses (the reference)
      const reference = await startTestServer(appWith(transport, [(_req, next) => next(), ...stack()]));
      servers.push(fast, reference);
      const { raw, head } = randomRequests(rnd, 12);
      const [got, want] = await Promise.all([
        rawRequest(fast.port, raw, { responses: head.length, head }),
        rawRequest(reference.port, raw, { responses: head.length, head }),
      ]);
      expect(got.responses.length).toBe(head.length);
      for (let i = 0; i < head.length; i++) {
        expect({ seed, i, ...shape(got.responses[i]!) }).toEqual({ seed, i, ...shape(want.responses[i]!) });
      }
      const ids = got.responses.flatMap((r) => r.rawHeaders.map(([, v]) => v).filter((v) => GENERATED.test(v)));
      if (ids.length > 1) {
        expect(new Set(ids.map((id) => id.slice(0, 12))).size).toBe(1);
        const nums = ids.map((id) => Number(GENERATED.exec(id)![1]));
        // in request order (gaps: a response with its own id header keeps it)
        expect(nums).toEqual([...nums].sort((a, b) => a - b));
        expect(new Set(nums).size).toBe(nums.length);
      }
    }
  });
});
