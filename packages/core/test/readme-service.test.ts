// The "Building a real service" example of the README, as written (port 0 instead of 8080, pino
// writing to a capture stream instead of stdout), then exercised over a real socket.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { App, Metrics, Response, accessLog, compress, cors, currentRequestId, readiness, requestId } from '../src/index.js';

describe('README: building a real service', () => {
  it('runs as written', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });

    // ---- the README code ----
    const logger = pino(destination);
    const metrics = new Metrics();

    const app = new App({ logger, trustProxy: ['loopback', '10.0.0.0/8'] })
      .extend('user', { get: (req) => (req.header('authorization') === 'Bearer demo' ? { name: 'demo' } : null) });

    app.use(
      metrics.middleware(),
      requestId(),
      accessLog(logger),
      cors({ origin: ['https://app.example'], credentials: true, exposedHeaders: ['x-request-id'], maxAge: 600 }),
      compress(),
    );

    app.get('/metrics', metrics.handler());
    app.get('/ready', readiness(app));

    app.group('/v1', (v1) => {
      v1.use((req, next) => (req.user ? next() : new Response('Unauthorized', { status: 401 })));
      v1.get('/users/:id', (req) => ({ id: req.params.id, by: req.user?.name, requestId: currentRequestId() }));
      v1.post('/upload', async (req) => ({ size: (await req.bytes()).byteLength }), { maxBodyBytes: 64 * 1024 });
    });

    const server = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    // ---- end of the README code ----

    try {
      const base = `http://127.0.0.1:${server.port}`;
      const auth = { authorization: 'Bearer demo', origin: 'https://app.example' };
      const user = await fetch(`${base}/v1/users/42`, { headers: { ...auth, 'x-request-id': 'trace-1' } });
      expect(await user.json()).toEqual({ id: '42', by: 'demo', requestId: 'trace-1' });
      expect(user.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(user.headers.get('access-control-allow-credentials')).toBe('true');
      expect(user.headers.get('x-request-id')).toBe('trace-1');

      expect((await fetch(`${base}/v1/users/42`)).status).toBe(401);
      const pre = await fetch(`${base}/v1/upload`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
      expect([pre.status, pre.headers.get('access-control-max-age')]).toEqual([204, '600']);
      const big = await fetch(`${base}/v1/upload`, { method: 'POST', headers: auth, body: new Uint8Array(70 * 1024) });
      expect(big.status).toBe(413);
      expect(big.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const small = await fetch(`${base}/v1/upload`, { method: 'POST', headers: auth, body: new Uint8Array(1000) });
      expect(await small.json()).toEqual({ size: 1000 });

      const scrape = await fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
      expect(scrape.headers.get('content-encoding')).toBe('gzip'); // > 1 KiB of text
      const text = await scrape.text(); // fetch decodes it
      expect(text).toContain('jato_http_requests_total{method="POST",status="4xx"} 1');
      expect(text).toContain('jato_http_request_duration_seconds_count{route="/v1/users/:id"} 2');

      expect((await fetch(`${base}/ready`)).status).toBe(200);
      const access = lines.filter((l) => l['msg'] === 'request');
      expect(access.map((l) => [l['method'], l['path'], l['status']])).toEqual([
        ['GET', '/v1/users/42', 200], ['GET', '/v1/users/42', 401], ['OPTIONS', '/v1/upload', 204],
        ['POST', '/v1/upload', 413], ['POST', '/v1/upload', 200], ['GET', '/metrics', 200], ['GET', '/ready', 200],
      ]);
      expect(access[0]!['requestId']).toBe('trace-1');
    } finally {
      await server.close();
    }
    expect(app.shuttingDown).toBe(true);
    expect((await fetch(`http://127.0.0.1:${server.port}/ready`).catch(() => null))?.status ?? 'closed').toBe('closed');
  });
});
