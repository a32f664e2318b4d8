// immutableChunks(source): a source whose chunks are never modified after being handed over. jato
// keeps references to the chunks of a turn (native transport: chunks of REF_MIN bytes and more are
// written from their own memory with the turn's one write per connection, framing from the arena;
// the output of a flush is bounded by GATHER_MAX and the gather list by the loop's iovec limit) and
// copies only what the socket does not take. Every kind of source, seeded sizes across the
// thresholds, 2,000 chunks in one turn, a client that reads late, pipelined requests behind, the
// client leaving. The default rule (a chunk is jato's only until the source resumes) is
// chunk-ownership.test.ts.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { App, Response, immutableChunks, type HandlerResult } from '../../src/index.js';
import { hasImmutableChunks } from '../../src/response/immutable-chunks.js';
import { GATHER_MAX, LEND_MIN, REF_MIN } from '../../../native-loop/src/native/output-writer.js';
import { prng } from '../support/prng.js';
import { bodyOf, deferred, dechunk } from './stream-client.js';
import { streamSuite } from './stream-suite.js';
import { STREAM_TRANSPORTS } from './transports.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Sizes on and around every threshold: tiny, the reference threshold, 64 KiB, the lend threshold, 1 MiB. */
const SIZES = [1, 2, 100, REF_MIN - 1, REF_MIN, REF_MIN + 1, 64 * KiB, LEND_MIN - 1, LEND_MIN, LEND_MIN + 1, MiB];

/** A fresh chunk of `size` seeded bytes (never written to again once made). */
function chunkOf(size: number, seed: number): Buffer {
  const rand = prng(seed);
  const b = Buffer.allocUnsafe(size);
  for (let k = 0; k < size; k++) b[k] = (k & 63) === 0 ? Math.floor(rand() * 256) : (k * 31 + seed) & 0xff;
  return b;
}

/** Seeded plans of chunk sizes (and whether the source pauses a turn after a chunk). */
function plans(seed: number, count: number): number[][] {
  const rand = prng(seed);
  const out: number[][] = [SIZES.slice(), SIZES.slice().reverse()];
  while (out.length < count) {
    const n = 1 + Math.floor(rand() * 14);
    out.push(Array.from({ length: n }, () => (rand() < 0.8 ? SIZES[Math.floor(rand() * SIZES.length)]! : 1 + Math.floor(rand() * 300 * KiB))));
  }
  return out;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

type Kind = 'generator' | 'readable' | 'web' | 'response';
/** The chunks as a marked source of the given kind (every chunk of a turn yielded without a pause unless `pauseEvery`). */
function source(kind: Kind, chunks: Buffer[], pauseEvery = 0): HandlerResult {
  const gen = async function* (): AsyncGenerator<Buffer> {
    for (let i = 0; i < chunks.length; i++) {
      yield chunks[i]!;
      if (pauseEvery > 0 && i % pauseEvery === pauseEvery - 1) await new Promise((r) => setImmediate(r));
    }
  };
  switch (kind) {
    case 'generator':
      return immutableChunks(gen());
    case 'readable':
      return immutableChunks(Readable.from(gen(), { objectMode: false }));
    case 'web': {
      const it = gen();
      return immutableChunks(new ReadableStream<Uint8Array>({
        async pull(ctl) {
          const r = await it.next();
          if (r.done === true) ctl.close();
          else ctl.enqueue(r.value);
        },
      }, { highWaterMark: 0 }));
    }
    case 'response':
      return new Response(immutableChunks(gen()), { type: 'application/octet-stream' });
  }
}

/** The body of one chunked or Content-Length response at the start of `raw`, and what follows it. */
function payloadOf(raw: Buffer): { head: string; body: Buffer; rest: Buffer } {
  const { head, body } = bodyOf(raw);
  if (/\r\ntransfer-encoding: chunked/i.test(head)) {
    const d = dechunk(body);
    expect(d, 'a complete chunked body').not.toBeNull();
    return { head, body: d!.body, rest: d!.rest };
  }
  const len = Number(/\r\ncontent-length: (\d+)/i.exec(head)![1]);
  return { head, body: body.subarray(0, len), rest: body.subarray(len) };
}

describe('immutableChunks()', () => {
  it('marks the source it returns (generators, Readables, ReadableStreams, frozen objects) and refuses what is no stream', () => {
    const g = (async function* () {})();
    expect(immutableChunks(g)).toBe(g);
    expect(hasImmutableChunks(g)).toBe(true);
    expect(hasImmutableChunks((async function* () {})())).toBe(false);
    const r = Readable.from([]);
    expect(hasImmutableChunks(immutableChunks(r))).toBe(true);
    const w = new ReadableStream();
    expect(hasImmutableChunks(immutableChunks(w))).toBe(true);
    const frozen = Object.freeze({ [Symbol.asyncIterator]: async function* () {} });
    expect(hasImmutableChunks(immutableChunks(frozen))).toBe(true);
    expect(Object.keys(g)).toEqual([]); // the mark is not enumerable
    for (const bad of [null, undefined, 1, 'text', {}, [], () => {}, Buffer.alloc(1)]) {
      expect(() => immutableChunks(bad as never), String(bad)).toThrow(TypeError);
    }
  });
});

describe.each(STREAM_TRANSPORTS)('handed-over chunks (%s transport)', (transport) => {
  const suite = streamSuite();

  it.each(['generator', 'readable', 'web', 'response'] as const)('a %s source: seeded chunk sizes across every threshold, some turns with many chunks, byte-exact', async (kind) => {
    const all = plans(kind.length * 101, 10);
    const app = new App({ transport, logger: false });
    app.get('/plan/:n', (req) => {
      const n = Number(req.params.n);
      return source(kind, all[n]!.map((size, i) => chunkOf(size, n * 100 + i)), 1 + (n % 4));
    });
    await suite.start(app);
    for (let n = 0; n < all.length; n++) {
      const sizes = all[n]!;
      const expected = Buffer.concat(sizes.map((size, i) => chunkOf(size, n * 100 + i)));
      const c = await suite.connect();
      c.send(`GET /plan/${n} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
      await c.untilClosed(60_000);
      const { head, body } = payloadOf(c.received);
      expect(head, `plan ${n}`).toMatch(/^HTTP\/1\.1 200 /);
      expect(body.length, `plan ${n} (${sizes.join(',')})`).toBe(expected.length);
      expect(sha(body), `plan ${n} (${sizes.join(',')})`).toBe(sha(expected));
    }
  }, 120_000);

  it('2,000 chunks of 1 byte and 2,000 of REF_MIN bytes in one turn (a 16 MiB high-water mark: past GATHER_MAX and the iovec limit), a declared Content-Length: byte-exact', async () => {
    const app = new App({ transport, logger: false, limits: { highWaterMark: 16 * MiB } });
    const tiny = Array.from({ length: 2000 }, (_, i) => Buffer.from([i & 0xff]));
    const big = Array.from({ length: 2000 }, (_, i) => chunkOf(REF_MIN, 7000 + i));
    expect(2000 * REF_MIN).toBeGreaterThan(GATHER_MAX);
    app.get('/tiny', () => source('generator', tiny));
    app.get('/big', () => new Response(source('generator', big) as AsyncIterable<Buffer>, { headers: { 'content-length': String(2000 * REF_MIN) } }));
    await suite.start(app);
    for (const [path, chunks] of [['/tiny', tiny], ['/big', big]] as const) {
      const c = await suite.connect();
      c.send(`GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
      await c.untilClosed(60_000);
      const { body, rest } = payloadOf(c.received);
      expect(sha(body), path).toBe(sha(Buffer.concat(chunks)));
      expect(rest.length).toBe(0);
    }
  }, 60_000);

  it('a client that reads nothing until the source ended (partial writes: the rest copied), then everything: byte-exact', async () => {
    const rand = prng(31);
    const chunks = Array.from({ length: 120 }, (_, i) => chunkOf(SIZES[Math.floor(rand() * 7)]! + Math.floor(rand() * 64 * KiB), 9000 + i));
    const ended = deferred();
    const app = new App({ transport, logger: false, limits: { highWaterMark: 64 * MiB } });
    app.get('/slow', () => immutableChunks((async function* () {
      for (const c of chunks) yield c;
      ended.resolve();
    })()));
    await suite.start(app);
    const c = await suite.connect();
    c.socket.pause();
    c.send('GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    await ended.promise; // every chunk was handed over while the client read nothing
    c.socket.resume();
    await c.untilClosed(60_000);
    const { body } = payloadOf(c.received);
    expect(body.length).toBe(chunks.reduce((n, b) => n + b.length, 0));
    expect(sha(body)).toBe(sha(Buffer.concat(chunks)));
  }, 60_000);

  it('pipelined requests behind two handed-over streams are answered in order, byte-exact', async () => {
    const chunk = chunkOf(64 * KiB, 5);
    const app = new App({ transport, logger: false });
    app.get('/big', () => immutableChunks((async function* () {
      for (let i = 0; i < 40; i++) yield chunk; // 2.5 MiB: over the mark, drains on the way
    })()));
    app.get('/small', () => 'small');
    await suite.start(app);
    const c = await suite.connect();
    c.send('GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /small HTTP/1.1\r\nHost: t\r\n\r\nGET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    await c.untilClosed(60_000);
    const want = sha(Buffer.concat(Array.from({ length: 40 }, () => chunk)));
    const first = payloadOf(c.received);
    expect(sha(first.body)).toBe(want);
    const small = payloadOf(first.rest);
    expect(small.body.toString()).toBe('small');
    const last = payloadOf(small.rest);
    expect(sha(last.body)).toBe(want);
    expect(last.rest.length).toBe(0);
  }, 60_000);

  it('the client leaving (reset, then FIN) at seeded points cancels the source and fires req.signal', async () => {
    const chunk = chunkOf(32 * KiB, 3);
    let finished = deferred<string>();
    let aborted = deferred<string>();
    const app = new App({ transport, logger: false });
    app.get('/endless', (req) => {
      const f = finished;
      const a = aborted;
      req.signal.addEventListener('abort', () => a.resolve('aborted'));
      return immutableChunks((async function* () {
        try {
          for (;;) yield chunk;
        } finally {
          f.resolve('finally');
        }
      })());
    });
    await suite.start(app);
    const rand = prng(0x1eaf);
    for (let i = 0; i < 6; i++) {
      finished = deferred();
      aborted = deferred();
      const c = await suite.connect();
      const leaveAt = 1 + Math.floor(rand() * 2 * MiB);
      c.send('GET /endless HTTP/1.1\r\nHost: t\r\n\r\n');
      await c.until((x) => x.received.length >= leaveAt, 30_000);
      if (i % 2 === 0) c.destroy();
      else c.socket.end();
      expect(await aborted.promise).toBe('aborted');
      expect(await finished.promise).toBe('finally');
      c.destroy();
    }
  }, 60_000);
});
