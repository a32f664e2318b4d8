// A real Hono app served by jato's serve({ fetch }) and by @hono/node-server: the same seeded
// requests to both must get the same status, headers (normalised: Date, Server and framing/hop-by-hop
// fields, which differ by server design) and bodies.
import { serve as nodeServe } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type FetchServer } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { TRANSPORTS } from '../support/transports.js';
import { honoApp } from './hono-app.js';

const RUNTIME_RESPONSE = globalThis.Response;
const SKIP_HEADERS = new Set(['date', 'server', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** Seeded requests over every route of the Hono app (and some misses). */
function cases(seed: number, n: number): Case[] {
  const r = prng(seed);
  const word = (): string => Array.from({ length: 1 + Math.floor(r() * 8) }, () => pick(r, [...'abcxyz019-_~.'])).join('');
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const headers: Record<string, string> = {};
    if (r() < 0.5) headers['user-agent'] = `ua-${word()}`;
    if (r() < 0.3) headers['x-test'] = word();
    const kind = Math.floor(r() * 20);
    switch (kind) {
      case 0: out.push({ method: 'GET', path: '/', headers }); break;
      case 1: out.push({ method: 'GET', path: '/json', headers }); break;
      case 2: out.push({ method: 'GET', path: `/user/${word()}`, headers }); break;
      case 3: out.push({ method: 'GET', path: `/posts/${word()}/comments/${word()}`, headers }); break;
      case 4: out.push({ method: 'GET', path: `/query?q=${word()}&tag=${word()}&tag=${word()}`, headers }); break;
      case 5: out.push({ method: 'GET', path: '/headers', headers }); break;
      case 6: out.push({ method: 'GET', path: pick(r, ['/html', '/cookie', '/redirect', '/empty', '/bytes']), headers }); break;
      case 7: out.push({ method: 'GET', path: `/status/${pick(r, ['200', '201', '202', '400', '404', '418', '500', '503'])}`, headers }); break;
      case 8: {
        if (r() < 0.5) headers['authorization'] = pick(r, ['Bearer ok', 'Bearer no']);
        out.push({ method: 'GET', path: '/admin/panel', headers });
        break;
      }
      case 9: out.push({ method: 'GET', path: '/throw', headers }); break;
      case 10: out.push({ method: 'GET', path: pick(r, ['/stream', '/bin-stream']), headers }); break;
      case 11: {
        const good = r() < 0.6;
        const body = good ? JSON.stringify({ name: word(), qty: Math.floor(r() * 100) }) : pick(r, ['{"name":1}', '{', 'null', '[]']);
        out.push({ method: 'POST', path: '/items', headers: { ...headers, 'content-type': 'application/json' }, body });
        break;
      }
      case 12: out.push({ method: 'POST', path: '/echo', headers, body: word().repeat(1 + Math.floor(r() * 50)) }); break;
      case 13: out.push({ method: 'PUT', path: '/echo', headers, body: `é${word()}` }); break;
      case 14: out.push({ method: 'DELETE', path: `/user/${word()}`, headers }); break;
      case 15: out.push({ method: 'HEAD', path: pick(r, ['/', '/json', '/user/1']), headers }); break;
      case 16: out.push({ method: pick(r, ['GET', 'POST', 'PATCH']), path: `/missing/${word()}`, headers }); break;
      case 17: out.push({ method: 'POST', path: '/json', headers }); break;
      default: out.push({ method: 'GET', path: `/user/${word()}?x=${word()}`, headers }); break;
    }
  }
  return out;
}

interface Seen {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

async function send(base: string, c: Case): Promise<Seen> {
  const res = await fetch(base + c.path, {
    method: c.method, headers: c.headers, redirect: 'manual', ...(c.body !== undefined ? { body: c.body } : {}),
  });
  const body = Buffer.from(await res.arrayBuffer()).toString('base64');
  const headers: Array<[string, string]> = [];
  res.headers.forEach((v, n) => {
    if (!SKIP_HEADERS.has(n) && n !== 'set-cookie') headers.push([n, v]);
  });
  for (const c2 of res.headers.getSetCookie()) headers.push(['set-cookie', c2]);
  return { status: res.status, headers, body };
}

/**
 * The differential suite; `overrideGlobalResponse` false keeps the runtime's Response (the fast body
 * read), true sends jato's light Responses.
 */
export function honoDifferential(overrideGlobalResponse: boolean): void {
describe.each(TRANSPORTS)(`a Hono app on serve({ fetch }) (%s transport, ${overrideGlobalResponse ? 'light' : "the runtime's"} Response) and on @hono/node-server`, (transport) => {
  let jato: FetchServer;
  let jatoBase = '';
  let node: ReturnType<typeof nodeServe>;
  let nodeBase = '';

  beforeAll(async () => {
    jato = serve({ fetch: honoApp().fetch, port: 0, host: '127.0.0.1', logger: false, transport, handleSignals: false, overrideGlobalResponse });
    expect(globalThis.Response === RUNTIME_RESPONSE).toBe(!overrideGlobalResponse);
    jatoBase = `http://127.0.0.1:${(await jato.ready).port}`;
    const app = honoApp();
    await new Promise<void>((resolve) => {
      // node-server's own global Request/Response stay out: each server's Responses are its own
      node = nodeServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false }, () => resolve());
    });
    nodeBase = `http://127.0.0.1:${(node.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await jato.close();
    await new Promise((resolve) => node.close(resolve));
  });

  it('answers 300 seeded requests exactly as @hono/node-server does', async () => {
    const list = cases(1515, 300);
    const kinds = new Set<string>();
    for (const c of list) {
      const [a, b] = [await send(jatoBase, c), await send(nodeBase, c)];
      expect(a, `${c.method} ${c.path}`).toEqual(b);
      kinds.add(`${c.method} ${c.path.split('/')[1] ?? ''} ${a.status}`);
    }
    // the generator reached every kind of route and outcome
    expect(kinds.size).toBeGreaterThan(25);
  });

  it('sends Date and its Server header, and frames every body', async () => {
    const res = await fetch(`${jatoBase}/json`);
    expect(res.headers.get('date')).toMatch(/GMT$/);
    expect(res.headers.get('server')).toBe('jato');
    expect(res.headers.get('content-length')).toBe(String((await res.arrayBuffer()).byteLength));
  });
});
}
