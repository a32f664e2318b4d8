import { afterEach, describe, expect, it } from 'vitest';
import { App, cors, requestId, Response, type CorsOptions, type Middleware, type RequestIdOptions } from '../src/index.js';
import { FAST_STEP, type FastMiddleware } from '../src/middleware/fast-step.js';
import { absentPlanOf } from '../src/middleware/lead-plan.js';
import { prng } from './support/prng.js';
import { injectAll, rawRequest, startTestServer, type TestResponse, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

// The LeadPlan (the app chain's leading requestId()/cors() compiled into one step for requests
// without the headers they read, with its text responses written from a cached head and a numbered
// line) against (a) the same middleware taking their own steps (the plan stripped) — the same header
// bytes, in the same order — and (b) the same middleware behind a user middleware, which makes them
// set their headers on a Response (the reference) — the same header lines.

const ORIGIN = 'https://app.example';
const GENERATED = /^[A-Za-z0-9]{12}-(\d+)$/;

/** `mw` without its AbsentPlan: the chain takes its fast step for every request. */
function withoutPlan(mw: Middleware): Middleware {
  const fast = (mw as Partial<FastMiddleware>)[FAST_STEP];
  if (fast === undefined) return mw;
  const copy = ((req, next) => mw(req, next)) as FastMiddleware;
  copy[FAST_STEP] = fast;
  return copy;
}

/** One random stack as a recipe (fresh instances per call); jato middleware lead it more often than not. */
function randomStack(rnd: () => number): () => Middleware[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const idOptions = pick<RequestIdOptions>([
    {}, {}, { header: 'X-Id' }, { trustIncoming: false }, { context: true }, { generate: () => 'custom-id' },
  ]);
  const secondId = pick<RequestIdOptions>([{ header: 'X-Trace-Id' }, {}, { trustIncoming: false }]);
  const corsOptions = pick<CorsOptions>([
    {}, { origin: [ORIGIN] }, { origin: ORIGIN, credentials: true, exposedHeaders: ['X-A', 'X-B'] }, { credentials: true },
    { origin: /^https:\/\/.*\.example$/ }, { origin: '*', maxAge: 60 },
  ]);
  const kinds = ['id', 'cors', 'id2', 'noop', 'deny'].filter((k) => rnd() < (k === 'id2' ? 0.3 : 0.8));
  for (let k = kinds.length - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    [kinds[k], kinds[j]] = [kinds[j]!, kinds[k]!];
  }
  // the user middleware last more often, so the jato ones lead
  if (rnd() < 0.6) kinds.sort((a, b) => Number(a === 'noop' || a === 'deny') - Number(b === 'noop' || b === 'deny'));
  return () => kinds.map((kind): Middleware => {
    if (kind === 'id') return requestId(idOptions);
    if (kind === 'id2') return requestId(secondId);
    if (kind === 'cors') return cors(corsOptions);
    if (kind === 'noop') return (_req, next) => next();
    return (req, next) => (req.header('x-deny') === undefined ? next() : 'denied');
  });
}

function appWith(transport: (typeof TRANSPORTS)[number], middleware: Middleware[]): App {
  const app = new App({ transport, logger: false });
  app.use(...middleware);
  app.get('/', () => 'Hello world!');
  app.get('/utf8', () => 'héllo wörld ✓');
  app.get('/json', () => ({ ok: true }));
  app.get('/async', async () => 'later');
  app.get('/own', () => new Response('own', { headers: { 'X-Request-Id': 'mine', 'X-Id': 'mine', Vary: 'Accept' } }));
  app.get('/throws', () => {
    throw new Error('boom');
  });
  return app;
}

/** A header name of the same length as one the middleware read, but another name (the length check alone must not match). */
const NEAR_MISSES = ['Orig1n', 'x-request-ie', 'X-Ie', 'Oorigin', 'x-requestid'];

/** Random pipelined requests with random headers (the read ones absent, present in any case, repeated or empty). */
function randomRequests(rnd: () => number, n: number): { raw: string; head: boolean[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const cased = (name: string): string => name.split('').map((c) => (rnd() < 0.5 ? c.toUpperCase() : c)).join('');
  let raw = '';
  const head: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const method = rnd() < 0.12 ? 'HEAD' : pick(['GET', 'GET', 'GET', 'OPTIONS']);
    const last = i === n - 1;
    const version = last && rnd() < 0.3 ? 'HTTP/1.0' : 'HTTP/1.1';
    let h = `${method} ${pick(['/', '/', '/', '/utf8', '/json', '/async', '/own', '/throws', '/missing'])} ${version}\r\nHost: t\r\n`;
    const extra: string[] = [];
    if (rnd() < 0.45) extra.push(`${cased('origin')}: ${pick([ORIGIN, 'https://other.example', 'https://a.example', ''])}`);
    if (rnd() < 0.35) extra.push(`${cased(pick(['x-request-id', 'x-id', 'x-trace-id']))}: ${pick(['abc-1', 'bad id!', '', 'Q.q:1@2/3+4=5-6'])}`);
    if (method === 'OPTIONS' && rnd() < 0.7) extra.push(`Access-Control-Request-Method: ${pick(['GET', 'PUT'])}`);
    if (rnd() < 0.4) extra.push(`${pick(NEAR_MISSES)}: ${pick(['1', ORIGIN])}`);
    if (rnd() < 0.3) extra.push(`X-Filler-${Math.floor(rnd() * 100)}: ${'v'.repeat(Math.floor(rnd() * 30))}`);
    if (rnd() < 0.08) extra.push('X-Deny: 1');
    if (rnd() < 0.1 && extra.length > 0) extra.push(extra[0]!); // a repeated line
    for (let k = extra.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [extra[k], extra[j]] = [extra[j]!, extra[k]!];
    }
    for (const line of extra) h += `${line}\r\n`;
    if (last && version === 'HTTP/1.1' && rnd() < 0.3) h += 'Connection: close\r\n';
    else if (version === 'HTTP/1.0' && rnd() < 0.5) h += 'Connection: keep-alive\r\n';
    raw += `${h}\r\n`;
    head.push(method === 'HEAD');
  }
  return { raw, head };
}

/** A response's header lines in order (but Date), generated ids as `<id>`. */
function ordered(res: TestResponse): string[] {
  return res.rawHeaders.filter(([n]) => n.toLowerCase() !== 'date').map(([n, v]) => `${n}: ${GENERATED.test(v) ? '<id>' : v}`);
}

function shape(res: TestResponse): { status: number; lines: string[]; body: string } {
  return { status: res.status, lines: ordered(res).sort(), body: Buffer.from(res.body).toString('latin1') };
}

const SEEDS = [5, 23, 311, 4096, 65537, 900001, 31337, 2718, 8, 99, 1001, 123457, 7777, 60606, 424243, 17];

describe.each(TRANSPORTS)('LeadPlan responses (%s transport)', (transport) => {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  it('random stacks and request headers: the same header bytes as the steps taken one by one, the same lines as Responses', async () => {
    let planned = 0;
    for (const seed of SEEDS) {
      const rnd = prng(seed);
      const stack = randomStack(rnd);
      const mws = stack();
      const lead = mws.findIndex((mw) => (mw as Partial<FastMiddleware>)[FAST_STEP] === undefined);
      const leading = lead < 0 ? mws : mws.slice(0, lead);
      if (leading.length > 0 && leading.every((mw) => absentPlanOf(mw) !== null)) planned++;
      const plan = await startTestServer(appWith(transport, stack()));
      const steps = await startTestServer(appWith(transport, stack().map(withoutPlan)));
      const reference = await startTestServer(appWith(transport, [(_req, next) => next(), ...stack()]));
      servers.push(plan, steps, reference);
      // rounds of pipelined requests on new connections: a batch slot's pooled Request object
      // serves requests with and without the headers in turn
      for (let round = 0; round < 4; round++) {
        const { raw, head } = randomRequests(rnd, 8 + Math.floor(rnd() * 8));
        const [got, bySteps, want] = await Promise.all([
          rawRequest(plan.port, raw, { responses: head.length, head }),
          rawRequest(steps.port, raw, { responses: head.length, head }),
          rawRequest(reference.port, raw, { responses: head.length, head }),
        ]);
        expect(got.responses.length).toBe(head.length);
        for (let i = 0; i < head.length; i++) {
          const r = got.responses[i]!;
          expect({ seed, round, i, lines: ordered(r), body: Buffer.from(r.body).toString('latin1') }).toEqual({
            seed, round, i, lines: ordered(bySteps.responses[i]!), body: Buffer.from(bySteps.responses[i]!.body).toString('latin1'),
          });
          expect({ seed, round, i, ...shape(r) }).toEqual({ seed, round, i, ...shape(want.responses[i]!) });
        }
        // in process: the same responses as over the socket
        const injected = await injectAll(appWith(transport, stack()), raw, head);
        expect(injected.map(shape)).toEqual(got.responses.map(shape));
      }
    }
    expect(planned).toBeGreaterThan(2); // the seeds include stacks led by planned middleware
  });

  it('a pooled Request object answered by the steps (an incoming id, an origin) and then by the plan gets the plan\'s records again', async () => {
    const app = appWith(transport, [requestId(), cors({ origin: [ORIGIN] })]);
    const server = await startTestServer(app);
    servers.push(server);
    // one request per batch: each one takes the same pooled Request object
    const sequence: Array<{ url: string; headers: string }> = [
      { url: '/json', headers: 'X-Request-Id: abc-1\r\n' },
      { url: '/json', headers: '' },
      { url: '/', headers: `Origin: ${ORIGIN}\r\n` },
      { url: '/json', headers: '' },
      { url: '/', headers: 'X-Request-Id: abc-2\r\n' },
      { url: '/', headers: '' },
      { url: '/own', headers: '' },
    ];
    const got: TestResponse[] = [];
    for (const { url, headers } of sequence) {
      const res = await rawRequest(server.port, `GET ${url} HTTP/1.1\r\nHost: t\r\n${headers}Connection: close\r\n\r\n`, { responses: 1 });
      got.push(res.responses[0]!);
    }
    const id = (r: TestResponse): string => {
      const v = r.headers['x-request-id']!;
      return GENERATED.test(v) ? '<id>' : v;
    };
    expect(got.map(id)).toEqual(['abc-1', '<id>', '<id>', '<id>', 'abc-2', '<id>', 'mine']);
    expect(got.map((r) => r.headers['vary'])).toEqual(['Origin', 'Origin', 'Origin', 'Origin', 'Origin', 'Origin', 'Accept, Origin']);
    expect(got.map((r) => r.headers['access-control-allow-origin'])).toEqual([undefined, undefined, ORIGIN, undefined, undefined, undefined, undefined]);
  });
});
