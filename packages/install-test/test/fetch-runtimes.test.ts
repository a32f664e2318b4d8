/**
 * Fetch handlers from the installed package on every runtime: `serve({ fetch })` sending Responses
 * built from a string, bytes, `Response.json()` and a stream — light or the runtime's own — which
 * takes the fast body read on Node 20 and 22 and the streamed read on Node 24 (whose Response keeps
 * its body in private fields); and `app.fetch` of a jato App, served by `Bun.serve` under Bun.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanEnv, installedProject, removeScratch } from './harness.js';
import { runtime } from './runtimes.js';

afterAll(removeScratch);

/** Serves each kind of Response through serve({ fetch }), asks for them, prints one JSON line. */
const FETCH_EXAMPLE = `import { App, serve } from 'jato';

const Real = globalThis.Response;
const kinds = {
  text: (R) => new R('héllo'),
  bytes: (R) => new R(new Uint8Array([1, 2, 255])),
  json: (R) => R.json({ a: 'ü' }, { status: 201 }),
  stream: (R) => new R(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('str')); c.enqueue(new TextEncoder().encode('eam')); c.close(); } })),
};
const fastRead = Reflect.ownKeys(new Real('x')).some((k) => typeof k === 'symbol' && k.description === 'state');
const out = { fastRead, serve: {}, app: {} };
for (const [mode, override] of [['light', true], ['runtime', false]]) {
  const server = serve({
    fetch: (req) => {
      const kind = new URL(req.url).pathname.slice(1);
      return kinds[kind](override ? Response : Real);
    },
    port: 0, host: '127.0.0.1', logger: false, handleSignals: false, overrideGlobalResponse: override,
  });
  const { port } = await server.ready;
  for (const kind of Object.keys(kinds)) {
    const res = await fetch('http://127.0.0.1:' + port + '/' + kind);
    out.serve[mode + ' ' + kind] = [res.status, res.headers.get('content-type'), Buffer.from(await res.arrayBuffer()).toString('hex')];
  }
  await server.close();
}
const app = new App({ logger: false });
app.get('/users/:id', (req) => ({ id: req.params.id }));
app.post('/echo', async (req) => req.text());
app.get('/stream', () => new Real(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('a')); c.enqueue(new TextEncoder().encode('b')); c.close(); } })));
const ask = async (base) => ({
  user: await (await fetch(base + '/users/7')).json(),
  echo: await (await fetch(base + '/echo', { method: 'POST', body: 'ping' })).text(),
  stream: await (await fetch(base + '/stream')).text(),
  missing: (await fetch(base + '/nope')).status,
});
out.app.request = { user: await (await app.request('/users/7')).json(), echo: await (await app.request('/echo', { method: 'POST', body: 'ping' })).text() };
if (typeof Bun !== 'undefined') {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
  out.app.bun = await ask('http://127.0.0.1:' + server.port);
  server.stop(true);
}
console.log(JSON.stringify(out));
process.exit(0);
`;

function run(cwd: string, cmd: string): Promise<{ out: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, ['fetch-example.mjs'], { cwd, env: cleanEnv({ NO_COLOR: '1' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`${cmd} exited with ${code}:\n${stdout}\n${stderr}`));
      else resolve({ out: JSON.parse(line) as Record<string, unknown>, stderr });
    });
  });
}

const hex = (s: string): string => Buffer.from(s).toString('hex');
const SERVED = Object.fromEntries(
  ['light', 'runtime'].flatMap((mode) => [
    [`${mode} text`, [200, 'text/plain;charset=UTF-8', hex('héllo')]],
    [`${mode} bytes`, [200, 'text/plain; charset=UTF-8', '0102ff']],
    [`${mode} json`, [201, 'application/json', hex('{"a":"ü"}')]],
    [`${mode} stream`, [200, 'text/plain; charset=UTF-8', hex('stream')]],
  ]),
);
const APP = { user: { id: '7' }, echo: 'ping' };

let app: string;
beforeAll(() => {
  app = installedProject('fetch-app');
  writeFileSync(path.join(app, 'fetch-example.mjs'), FETCH_EXAMPLE);
});

describe('fetch handlers from the installed package', () => {
  test('node 20 (the running Node): the fast body read', async () => {
    const { out } = await run(app, process.execPath);
    expect(out).toEqual({ fastRead: true, serve: SERVED, app: { request: APP } });
  });

  test('node 22: the fast body read', async () => {
    const { out } = await run(app, runtime('node 22'));
    expect(out).toEqual({ fastRead: true, serve: SERVED, app: { request: APP } });
  });

  test('node 24: no fast read (private fields), bodies streamed', async () => {
    const { out } = await run(app, runtime('node 24'));
    expect(out).toEqual({ fastRead: false, serve: SERVED, app: { request: APP } });
  });

  test('bun: a jato app served by Bun.serve through app.fetch', async () => {
    const { out } = await run(app, runtime('bun'));
    expect(out['app']).toEqual({ request: APP, bun: { ...APP, stream: 'ab', missing: 404 } });
    // Bun's own Response picks other default content types (application/json;charset=utf-8…): compare the rest
    const withoutType = (o: unknown) => Object.fromEntries(Object.entries(o as Record<string, unknown[]>).map(([k, [status, , body]]) => [k, [status, body]]));
    expect(withoutType(out['serve'])).toEqual(withoutType(SERVED));
  });
});
