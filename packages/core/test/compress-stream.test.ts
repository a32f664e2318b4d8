// Streamed responses compressed as they stream: decoded by a real client (node:http + node:zlib) on
// real sockets over both transports, and through inject; backpressure and cancellation of the pump.
import http from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { App, Response, compress, sse } from '../src/index.js';
import { compressStream } from '../src/compress/compress-stream.js';
import { streamEncoders } from '../src/compress/encoders.js';
import { openSource } from '../src/response/stream-source.js';
import { prng } from './support/prng.js';
import { inject, startTestServer, type TestServer } from './support/testing.js';
import { deferred } from './streaming/stream-client.js';
import { STREAM_TRANSPORTS } from './streaming/transports.js';

/** Seeded text that compresses (words from a small vocabulary). */
function seededText(seed: number, bytes: number): string {
  const rand = prng(seed);
  const words = ['alpha', 'beta', 'gamma', 'delta', 'jato', 'stream', 'chunk', 'zlib', '\n'];
  let s = '';
  while (s.length < bytes) s += words[Math.floor(rand() * words.length)] + ' ';
  return s.slice(0, bytes);
}

/** A decoding client: the response head, and the decoded body as it arrives. */
interface Decoded {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: () => string;
  /** Resolves once the decoded text satisfies `p` (checked on each decoded chunk); rejects on end without it. */
  until: (p: (text: string) => boolean) => Promise<void>;
  ended: Promise<void>;
  destroy: () => void;
}

function get(port: number, path: string, headers: http.OutgoingHttpHeaders): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const enc = res.headers['content-encoding'];
      const decoder = enc === 'gzip' ? zlib.createGunzip() : enc === 'br' ? zlib.createBrotliDecompress() : enc === 'deflate' ? zlib.createInflate() : null;
      const body = decoder === null ? res : res.pipe(decoder);
      let text = '';
      let done = false;
      let waiters: Array<() => void> = [];
      const notify = (): void => {
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      };
      const ended = new Promise<void>((ok, fail) => {
        body.on('data', (c: Buffer) => {
          text += c.toString();
          notify();
        });
        body.on('end', () => {
          done = true;
          notify();
          ok();
        });
        body.on('error', (e) => {
          done = true;
          notify();
          fail(e);
        });
      });
      ended.catch(() => {});
      resolve({
        status: res.statusCode!,
        headers: res.headers,
        text: () => text,
        ended,
        destroy: () => req.destroy(),
        until: (p) =>
          new Promise<void>((ok, fail) => {
            const check = (): void => {
              if (p(text)) ok();
              else if (done) fail(new Error(`ended without it; decoded ${JSON.stringify(text.slice(-200))}`));
              else waiters.push(check);
            };
            check();
          }),
      });
    });
    req.on('error', reject);
  });
}

describe.each(STREAM_TRANSPORTS)('streamed compressed responses (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('server-sent events are compressed and each one is decoded by the client before the next is produced', async () => {
    const gates = [deferred(), deferred(), deferred()];
    const app = new App({ transport, logger: false });
    app.use(compress({ encodings: ['gzip'] }));
    app.get('/events', () =>
      sse(async function* () {
        for (let i = 0; i < gates.length; i++) {
          yield { event: 'tick', data: `event ${i} ${'x'.repeat(50)}` };
          await gates[i]!.promise; // the client decoded event i: it was flushed, not buffered
        }
      }, { heartbeat: 0 }),
    );
    server = await startTestServer(app);
    const res = await get(server.port, '/events', { 'accept-encoding': 'gzip' });
    expect([res.status, res.headers['content-encoding'], res.headers['transfer-encoding'], res.headers['vary']]).toEqual([200, 'gzip', 'chunked', 'Accept-Encoding']);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    for (let i = 0; i < gates.length; i++) {
      await res.until((t) => t.includes(`event ${i} `));
      expect(res.text()).not.toContain(`event ${i + 1} `);
      gates[i]!.resolve();
    }
    await res.ended;
    expect(res.text().match(/^event: tick$/gm)).toHaveLength(3);
  });

  it('a large Node Readable (brotli) and a Web Response stream body (gzip) decode to the bytes produced', async () => {
    const big = seededText(12, 3 * 1024 * 1024 + 17);
    const app = new App({ transport, logger: false });
    app.use(compress());
    app.get('/readable', () => {
      let at = 0;
      const r = new Readable({
        read() {
          // one chunk per turn: the source pauses, so flushes happen along the way too
          setImmediate(() => {
            if (at >= big.length) this.push(null);
            else this.push(big.slice(at, (at += 100_000)));
          });
        },
      });
      return new Response(r, { type: 'text/plain' });
    });
    app.get('/web', () => {
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setImmediate(r));
          if (at >= big.length) controller.close();
          else controller.enqueue(new TextEncoder().encode(big.slice(at, (at += 256_000))));
        },
      });
      return new globalThis.Response(body, { headers: { 'content-type': 'application/x-ndjson+json' } });
    });
    server = await startTestServer(app);
    const br = await get(server.port, '/readable', { 'accept-encoding': 'br;q=1, gzip;q=0.5' });
    expect([br.headers['content-encoding'], br.headers['transfer-encoding']]).toEqual(['br', 'chunked']);
    await br.ended;
    expect(br.text() === big).toBe(true);
    const gz = await get(server.port, '/web', { 'accept-encoding': 'gzip' });
    expect([gz.headers['content-encoding'], gz.headers['content-type']]).toEqual(['gzip', 'application/x-ndjson+json']);
    await gz.ended;
    expect(gz.text() === big).toBe(true);
    const plain = await get(server.port, '/web', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    await plain.ended;
    expect(plain.text() === big).toBe(true);
  });

  it('the client leaving cancels the source behind the compressor', async () => {
    const cancelled = deferred();
    const produced = deferred();
    const app = new App({ transport, logger: false });
    app.use(compress({ encodings: ['gzip'] }));
    app.get('/forever', () => new Response({
      async *[Symbol.asyncIterator]() {
        try {
          for (let i = 0; ; i++) {
            yield `line ${i}\n`;
            if (i === 3) produced.resolve();
            await new Promise((r) => setImmediate(r));
          }
        } finally {
          cancelled.resolve();
        }
      },
    }, { type: 'text/plain' }));
    server = await startTestServer(app);
    const res = await get(server.port, '/forever', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    await produced.promise;
    await res.until((t) => t.includes('line 3\n'));
    res.destroy();
    await cancelled.promise;
  });
});

describe('streamed compression through inject', () => {
  const big = seededText(7, 200_000);
  function app() {
    const a = new App({ logger: false });
    a.use(compress({ encodings: ['br', 'gzip'] }));
    a.get('/gen', () => new Response((async function* () {
      for (let i = 0; i < big.length; i += 10_000) {
        await new Promise((r) => setImmediate(r));
        yield big.slice(i, i + 10_000);
      }
    })(), { type: 'text/plain' })); // an async generator alone is application/octet-stream: not compressed
    a.get('/quick-small', () => new globalThis.Response('small text', { headers: { 'content-type': 'text/plain' } }));
    a.get('/quick-big', () => new globalThis.Response(big.slice(0, 20_000), { headers: { 'content-type': 'text/plain', etag: '"v1"' } }));
    a.get('/partial', () => new Response(Readable.from([big]), { status: 206, type: 'text/plain', headers: { 'content-range': `bytes 0-${big.length - 1}/*` } }));
    a.get('/encoded', () => new Response(Readable.from([big]), { type: 'text/plain', headers: { 'content-encoding': 'x-custom' } }));
    a.get('/no-transform', () => new Response(Readable.from([big]), { type: 'text/plain', headers: { 'cache-control': 'no-transform' } }));
    a.get('/image', () => new Response(Readable.from([Buffer.alloc(5000)]), { type: 'image/png' }));
    a.get('/declared-small', () => new Response((async function* () {
      await new Promise((r) => setImmediate(r));
      yield 'x'.repeat(100);
    })(), { type: 'text/plain', headers: { 'content-length': '100' } }));
    a.get('/fails', async function* () {
      await new Promise((r) => setImmediate(r));
      throw new Error('source broke');
    });
    return a;
  }

  it('compresses a streamed body as it streams and inject decodes to the same text', async () => {
    const a = app();
    const br = await inject(a, { url: '/gen', headers: { 'accept-encoding': 'br' } });
    expect([br.status, br.headers['content-encoding'], br.headers['transfer-encoding'], br.headers['vary']]).toEqual([200, 'br', 'chunked', 'Accept-Encoding']);
    expect(zlib.brotliDecompressSync(br.body).toString() === big).toBe(true);
    const gz = await inject(a, { url: '/gen', headers: { 'accept-encoding': 'gzip' } });
    expect(zlib.gunzipSync(gz.body).toString() === big).toBe(true);
    const none = await inject(a, '/gen');
    expect([none.headers['content-encoding'], none.headers['vary'], none.text() === big]).toEqual([undefined, 'Accept-Encoding', true]);
  });

  it('a stream that ends in its first turn is treated as a buffered body (threshold, Content-Length, weak ETag)', async () => {
    const a = app();
    const small = await inject(a, { url: '/quick-small', headers: { 'accept-encoding': 'gzip' } });
    expect([small.headers['content-encoding'], small.headers['content-length'], small.text()]).toEqual([undefined, '10', 'small text']);
    const quick = await inject(a, { url: '/quick-big', headers: { 'accept-encoding': 'gzip' } });
    expect([quick.headers['content-encoding'], quick.headers['transfer-encoding'], quick.headers['etag']]).toEqual(['gzip', undefined, 'W/"v1"']);
    expect(Number(quick.headers['content-length'])).toBe(quick.body.byteLength);
    expect(zlib.gunzipSync(quick.body).toString()).toBe(big.slice(0, 20_000));
  });

  it('never compresses HEAD, 206, encoded, no-transform, non-text or declared-small streams', async () => {
    const a = app();
    for (const url of ['/partial', '/encoded', '/no-transform', '/image', '/declared-small']) {
      const r = await inject(a, { url, headers: { 'accept-encoding': 'gzip, br' } });
      expect([url, r.headers['content-encoding'] ?? null]).toEqual([url, url === '/encoded' ? 'x-custom' : null]);
    }
    const head = await inject(a, { method: 'HEAD', url: '/gen', headers: { 'accept-encoding': 'gzip' } });
    expect([head.status, head.headers['content-encoding'], head.body.byteLength]).toEqual([200, undefined, 0]);
  });

  it('a source that fails before anything is sent is a 500', async () => {
    const r = await inject(app(), { url: '/fails', headers: { 'accept-encoding': 'gzip' } });
    expect(r.status).toBe(500);
  });
});

describe('streamed compression: seeded property', () => {
  it('whatever the chunking, pauses and coding, the client decodes exactly the bytes produced', async () => {
    const decoders: Record<string, (b: Uint8Array) => Buffer> = {
      gzip: (b) => zlib.gunzipSync(b),
      br: (b) => zlib.brotliDecompressSync(b),
      deflate: (b) => zlib.inflateSync(b),
    };
    let compressed = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const chunks: Array<string | Uint8Array> = [];
      const n = Math.floor(rand() * 30);
      for (let i = 0; i < n; i++) {
        const size = Math.floor(rand() ** 3 * 40_000); // mostly small, some large, some empty
        const text = seededText(seed * 1000 + i, size);
        chunks.push(rand() < 0.5 ? text : Buffer.from(text));
      }
      const pauses = chunks.map(() => rand() < 0.5);
      const expected = Buffer.concat(chunks.map((c) => Buffer.from(c)));
      const coding = (['gzip', 'br', 'deflate'] as const)[Math.floor(rand() * 3)]!;
      const a = new App({ logger: false });
      a.use(compress({ encodings: ['br', 'gzip', 'deflate'], threshold: Math.floor(rand() * 2048) }));
      a.get('/s', () => new Response((async function* () {
        for (let i = 0; i < chunks.length; i++) {
          if (pauses[i]) await new Promise((r) => setImmediate(r));
          yield chunks[i]!;
        }
      })(), { type: 'application/json' }));
      const r = await inject(a, { url: '/s', headers: { 'accept-encoding': coding } });
      const encoding = r.headers['content-encoding'];
      const body = encoding === undefined ? Buffer.from(r.body) : decoders[encoding]!(r.body);
      expect([seed, r.status, body.equals(expected)]).toEqual([seed, 200, true]);
      if (encoding !== undefined) {
        expect([seed, encoding]).toEqual([seed, coding]);
        compressed++;
      }
    }
    expect(compressed).toBeGreaterThan(20); // the generator mostly makes bodies worth compressing
  });
});

describe('compressStream (the pump)', () => {
  it('stops pulling the source while nobody reads the compressed output, and cancels it on destroy', async () => {
    const rand = prng(99);
    let pulls = 0;
    const finished = deferred();
    const source = (async function* () {
      try {
        for (;;) {
          pulls++;
          // incompressible bytes: the output is as large as the input
          const chunk = new Uint8Array(16 * 1024);
          for (let i = 0; i < chunk.length; i++) chunk[i] = Math.floor(rand() * 256);
          yield chunk;
        }
      } finally {
        finished.resolve();
      }
    })();
    const z = compressStream(openSource(source, 'iterable'), { chunks: [], size: 0, done: false, pending: undefined }, streamEncoders({ level: 6, quality: 4 }).gzip());
    // stalled: the writer waits for 'drain' and zlib's output buffer is full (no reader will empty it)
    await new Promise<void>((resolve, reject) => {
      const limit = Date.now() + 20_000;
      const check = (): void => {
        if (z.writableNeedDrain && z.readableLength >= z.readableHighWaterMark) resolve();
        else if (Date.now() > limit) reject(new Error(`never stalled after ${pulls} pulls`));
        else setImmediate(check);
      };
      check();
    });
    const atStall = pulls;
    expect(atStall * 16 * 1024).toBeLessThan(1024 * 1024); // zlib's buffers, not the whole source
    z.destroy();
    await finished.promise;
    expect(pulls).toBeLessThanOrEqual(atStall + 1);
  });
});
