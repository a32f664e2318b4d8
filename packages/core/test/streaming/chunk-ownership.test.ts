// Streamed byte chunks across every copy/lend boundary, and the ownership rule: a chunk a body
// yields is jato's only until the producer is resumed (asked for the next one). Native transport:
// chunks of LEND_MIN bytes and more are written from their own memory during the write call (not
// copied into the output arena); smaller ones are copied and gathered with the tick's other output
// (flushed at once past GATHER_MAX: two 1 MiB chunks in one turn); the JS transport copies. Either
// way a producer may overwrite its buffer as soon as its `yield` returns.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/index.js';
import { LEND_MIN } from '../../../native-loop/src/native/output-writer.js';
import { prng } from '../support/prng.js';
import { bodyOf, dechunk } from './stream-client.js';
import { streamSuite } from './stream-suite.js';
import { STREAM_TRANSPORTS } from './transports.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Sizes on and around every boundary: empty, tiny, the lend threshold, the arena text chunk, 64 KiB, 1 MiB. */
const BOUNDARY_SIZES = [0, 1, 2, 100, 16 * KiB - 1, 16 * KiB, LEND_MIN - 1, LEND_MIN, LEND_MIN + 1, 64 * KiB, 256 * KiB, MiB - 1, MiB];

/** Seeded plans: sequences of chunk sizes drawn from the boundaries (and a few in between). */
function plans(seed: number, count: number): number[][] {
  const rand = prng(seed);
  const out: number[][] = [BOUNDARY_SIZES.slice(), BOUNDARY_SIZES.slice().reverse()];
  while (out.length < count) {
    const n = 1 + Math.floor(rand() * 12);
    out.push(Array.from({ length: n }, () =>
      rand() < 0.8 ? BOUNDARY_SIZES[Math.floor(rand() * BOUNDARY_SIZES.length)]! : Math.floor(rand() * 300 * KiB)));
  }
  return out;
}

/** The bytes of chunk `i` of a plan (a seeded pattern: every offset checked). */
function fillChunk(view: Uint8Array, plan: number, i: number): void {
  const rand = prng(plan * 1000 + i + 1);
  for (let k = 0; k < view.length; k += 4096) view[k] = Math.floor(rand() * 256);
  // the rest from a cheap function of the offset and the chunk
  for (let k = 0; k < view.length; k++) if (k % 4096 !== 0) view[k] = (k * 31 + i * 7 + plan) & 0xff;
}

describe.each(STREAM_TRANSPORTS)('streamed chunk sizes and ownership (%s transport)', (transport) => {
  const suite = streamSuite();

  it('a producer that reuses and overwrites one buffer right after each yield: the client gets every chunk as it was yielded (seeded sizes across every boundary)', async () => {
    const all = plans(1010, 14);
    const app = new App({ transport, logger: false });
    app.get('/plan/:n', (req) => {
      const n = Number(req.params.n);
      const sizes = all[n]!;
      return (async function* () {
        const buf = Buffer.alloc(MiB); // one buffer for every chunk
        for (let i = 0; i < sizes.length; i++) {
          const view = buf.subarray(0, sizes[i]);
          fillChunk(view, n, i);
          yield view;
          view.fill(0xee); // jato asked for the next chunk: the buffer is the producer's again
          if (i % 3 === 1) await new Promise((r) => setImmediate(r)); // some chunks in later turns
        }
      })();
    });
    const server = await suite.start(app);
    for (let n = 0; n < all.length; n++) {
      const sizes = all[n]!;
      const expected = Buffer.concat(sizes.map((size, i) => {
        const b = Buffer.alloc(size);
        fillChunk(b, n, i);
        return b;
      }));
      const c = await suite.connect();
      c.send(`GET /plan/${n} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
      await c.untilClosed(60_000);
      const { head, body } = bodyOf(c.received);
      expect(head, `plan ${n}`).toMatch(/^HTTP\/1\.1 200 /);
      const payload = /\r\ntransfer-encoding: chunked/i.test(head) ? dechunk(body)?.body : body;
      expect(payload, `plan ${n}: a complete body`).toBeDefined();
      expect(payload!.length, `plan ${n} (${sizes.join(',')})`).toBe(expected.length);
      // a digest first (a readable failure), then the bytes
      expect(createHash('sha256').update(payload!).digest('hex'), `plan ${n} (${sizes.join(',')})`)
        .toBe(createHash('sha256').update(expected).digest('hex'));
    }
  }, 120_000);

  // 4 lent chunks; 16 copied ones: 2 MiB, over the high-water mark, held behind the first stream (the
  // held stream's producer waits for a drain: the first stream must still get its own)
  it.each([
    { what: 'lent', size: LEND_MIN * 2, count: 4 },
    { what: 'copied', size: 128 * KiB, count: 16 },
  ])('pipelined requests behind streams of $what chunks ($count x $size bytes) are answered in order, byte-exact', async ({ size, count }) => {
    const chunk = Buffer.alloc(size, 0x61);
    const app = new App({ transport, logger: false });
    app.get('/big', async function* () {
      for (let i = 0; i < count; i++) {
        await new Promise((r) => setImmediate(r));
        yield chunk;
      }
    });
    app.get('/small', () => 'small');
    const server = await suite.start(app);
    const c = await suite.connect();
    c.send('GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /small HTTP/1.1\r\nHost: t\r\n\r\nGET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
    await c.untilClosed(60_000);
    let rest: Buffer = c.received;
    for (const want of [count * chunk.length, 5, count * chunk.length]) {
      const { head, body } = bodyOf(rest);
      if (want === 5) {
        expect(head).toContain('Content-Length: 5');
        expect(body.toString('latin1', 0, 5)).toBe('small');
        rest = body.subarray(5);
      } else {
        const d = dechunk(body)!;
        expect(d.body.length).toBe(want);
        expect(d.body.every((b) => b === 0x61)).toBe(true);
        rest = d.rest;
      }
    }
    expect(rest.length).toBe(0);
  }, 60_000);
});
