// app.fetch / app.request beyond the shared inject suites: the forms of app.request, a bound fetch,
// streamed bodies both ways, body limits, and the request's signal as the client leaving.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { App, Response as JatoResponse } from '../../src/index.js';

function bigBody(size: number, chunk = 64 * 1024): { stream: ReadableStream<Uint8Array>; sha: string; pulled: () => number } {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= size) return c.close();
      const n = Math.min(chunk, size - sent);
      const b = new Uint8Array(n).map((_, i) => (sent + i) & 0xff);
      hash.update(b);
      sent += n;
      c.enqueue(b);
    },
  }, { highWaterMark: 1 });
  return { stream, get sha() { return hash.copy().digest('hex'); }, pulled: () => sent };
}

describe('app.fetch and app.request', () => {
  const app = new App({ logger: false });
  app.get('/users/:id', (req) => ({ id: req.params.id, q: req.query.get('q') }));
  app.post('/echo', async (req) => new JatoResponse(await req.bytes(), { headers: { 'x-len': String(req.bodyLength) } }));
  app.head('/h', () => new JatoResponse('abc'));

  it('takes a path, a URL or a Request, and is bound', async () => {
    const { fetch } = app;
    const answers = await Promise.all([
      app.request('/users/1?q=a'),
      app.request(new URL('http://example.com/users/2')),
      app.request(new Request('http://x/users/3', { headers: { 'x-a': '1' } })),
      fetch(new Request('http://x/users/4')),
    ]);
    expect(await Promise.all(answers.map((r) => r.json()))).toEqual([
      { id: '1', q: 'a' }, { id: '2', q: null }, { id: '3', q: null }, { id: '4', q: null },
    ]);
    expect(answers[0]!.headers.get('content-type')).toBe('application/json');
    expect(answers[0]!.headers.get('date')).toMatch(/GMT$/);
  });

  it('HEAD gets the headers and no body; 404 and 405 as over the wire', async () => {
    const head = await app.request('/h', { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, '3', '']);
    expect((await app.request('/nope')).status).toBe(404);
    const m = await app.request('/users/1', { method: 'DELETE' });
    expect([m.status, m.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('a body over maxBodyBytes is a 413 without a streaming route, and is streamed into one that has a bodyLimit', async () => {
    const small = new App({ logger: false, limits: { maxBodyBytes: 1024 } });
    small.post('/whole', async (req) => (await req.bytes()).byteLength);
    small.post('/stream', async (req) => {
      const hash = createHash('sha256');
      let size = 0;
      for await (const c of req.stream()) {
        hash.update(c);
        size += c.byteLength;
      }
      return { size, sha: hash.digest('hex'), streamed: req.streamed };
    }, { bodyLimit: 64 * 1024 * 1024 });
    expect((await small.request('/whole', { method: 'POST', body: new Uint8Array(1024) })).status).toBe(200);
    const big = bigBody(8 * 1024 * 1024);
    const res = await small.request('/stream', { method: 'POST', body: big.stream, duplex: 'half' } as RequestInit);
    expect(await res.json()).toEqual({ size: 8 * 1024 * 1024, sha: big.sha, streamed: true });
    expect((await small.request('/whole', { method: 'POST', body: new Uint8Array(4096) })).status).toBe(413);
  });

  it('streams a response body with backpressure: the producer waits for the reader', async () => {
    const total = 16 * 1024 * 1024;
    const src = bigBody(total);
    const s = new App({ logger: false });
    s.get('/big', () => new JatoResponse(src.stream));
    const res = await s.request('/big');
    const reader = res.body!.getReader();
    let got = 0;
    let maxAhead = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.byteLength;
      maxAhead = Math.max(maxAhead, src.pulled() - got);
    }
    expect(got).toBe(total);
    expect(maxAhead).toBeLessThan(4 * 1024 * 1024);
  });

  it("the request's signal aborting is the client leaving: req.signal fires", async () => {
    let seen!: (r: unknown) => void;
    const aborted = new Promise<unknown>((r) => (seen = r));
    let started!: () => void;
    const here = new Promise<void>((r) => (started = r));
    const s = new App({ logger: false });
    s.get('/wait', (req) => {
      req.signal.addEventListener('abort', () => seen(req.signal.reason));
      started();
      return new Promise(() => {});
    });
    const ctl = new AbortController();
    void s.request('/wait', { signal: ctl.signal });
    await here;
    ctl.abort();
    expect(String(await aborted)).toMatch(/AbortError|closed/);
  });
});
