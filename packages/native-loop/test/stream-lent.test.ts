// ResponseStream.writeFramed (prefix + chunk + suffix as one write, no reference kept): on the native
// transport a chunk of LEND_MIN bytes or more is lent to the loop for one flush call (rows with
// OUT_LENT_OFF), the rest copied and gathered per tick (the arena bounded by GATHER_MAX). The chunk is
// overwritten right after every call, the client reads slowly (partial writes: the tail is copied),
// and rows naming lent chunks wrongly are dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { OUT_LENT_OFF, OutFlag } from '../src/native/layout.js';
import { GATHER_MAX, LEND_MIN, type OutputWriter } from '../src/native/output-writer.js';
import type { ResponseStream, ServerHandlers } from '../src/types.js';
import { prng } from '../../parser/test/support/prng.js';
import { TRANSPORTS, harness } from './helpers/transports.js';

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const SIZES = [1, 100, LEND_MIN - 1, LEND_MIN, LEND_MIN + 1, 256 * 1024, 1024 * 1024];

function open(onStream: (s: ResponseStream, out: Parameters<ServerHandlers['onBatch']>[1], conn: number) => void): ServerHandlers {
  return {
    onBatch(batch, out) {
      for (let i = 0; i < batch.count; i++) {
        const conn = batch.conn(i);
        const s = out.stream!(conn, batch.seq(i), HEAD, true, { onDrain: () => {}, onClose: () => {} });
        // outside the batch (lending is for async writes)
        setImmediate(() => onStream(s, out, conn));
      }
    },
  };
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = raw.indexOf('\r\n\r\n') + 4;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.toString('latin1', at, eol), 16);
    if (size === 0) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

describe.each(TRANSPORTS)('writeFramed and lent chunks ($name)', ({ name, create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  it('seeded chunk sizes across the lend threshold, the buffer overwritten after each call, a client that reads late: byte-exact', async () => {
    const rand = prng(77);
    const sizes = Array.from({ length: 40 }, () => SIZES[Math.floor(rand() * SIZES.length)]!);
    const expected: Buffer[] = [];
    const buf = Buffer.alloc(1024 * 1024);
    const { port } = await h.start(open((s) => {
      for (let i = 0; i < sizes.length; i++) {
        const view = buf.subarray(0, sizes[i]);
        for (let k = 0; k < view.length; k += 997) view[k] = (i * 13 + k) & 0xff;
        expected.push(Buffer.from(view));
        s.writeFramed!(`${view.length.toString(16)}\r\n`, view, '\r\n');
        view.fill(0xee); // the transport keeps no reference
      }
      s.write('0\r\n\r\n');
      s.end();
    }));
    const c = await h.connect(port);
    c.socket.pause(); // nothing read until everything was written: partial writes, copied tails
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await new Promise((r) => setImmediate(r));
    c.socket.resume();
    await c.waitFor('the end of the stream', () => (c.ended ? true : undefined), 60_000);
    const body = dechunk(c.received);
    const want = Buffer.concat(expected);
    expect(body.length).toBe(want.length);
    expect(body.equals(want)).toBe(true);
  }, 90_000);

  it('eight streams writing seeded chunks under the lend threshold in one tick (16 MiB): byte-exact, and the output arena stays within GATHER_MAX', async () => {
    const CONNS = 8;
    const rand = prng(4242);
    const plans = Array.from({ length: CONNS }, () => {
      const sizes: number[] = [];
      for (let total = 0; total < 2 * 1024 * 1024; ) {
        const n = 1 + Math.floor(rand() * (LEND_MIN - 1));
        sizes.push(n);
        total += n;
      }
      return sizes;
    });
    const fill = (view: Uint8Array, c: number, i: number): void => {
      for (let k = 0; k < view.length; k++) view[k] = (k * 7 + i * 13 + c * 31) & 0xff;
    };
    const streams: Array<{ s: ResponseStream; out: unknown }> = [];
    let maxArena = 0;
    let ready!: () => void;
    const all = new Promise<void>((resolve) => (ready = resolve));
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          streams.push({ s: out.stream!(batch.conn(i), batch.seq(i), HEAD, true, { onDrain: () => {}, onClose: () => {} }), out });
        }
        if (streams.length === CONNS) setImmediate(ready);
      },
    });
    const clients = await Promise.all(Array.from({ length: CONNS }, () => h.connect(port)));
    for (const c of clients) await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await all;
    // one callback, no yield: every chunk of every stream is written in the same tick
    const buf = Buffer.alloc(LEND_MIN);
    for (let i = 0; ; i++) {
      let any = false;
      for (let c = 0; c < CONNS; c++) {
        const size = plans[c]![i];
        if (size === undefined) continue;
        any = true;
        const view = buf.subarray(0, size);
        fill(view, c, i);
        streams[c]!.s.writeFramed!(`${size.toString(16)}\r\n`, view, '\r\n');
        view.fill(0xee); // the transport keeps no reference
        if (name === 'native') maxArena = Math.max(maxArena, (streams[c]!.out as OutputWriter).bytes.length);
      }
      if (!any) break;
    }
    for (const { s } of streams) {
      s.write('0\r\n\r\n');
      s.end();
    }
    for (const c of clients) await c.waitFor('the end of the stream', () => (c.ended ? true : undefined), 60_000);
    const bodies = clients.map((c) => dechunk(c.received));
    const expected = plans.map((sizes, c) => Buffer.concat(sizes.map((size, i) => {
      const b = Buffer.alloc(size);
      fill(b, c, i);
      return b;
    })));
    const matched = new Set<number>();
    for (const body of bodies) {
      const match = expected.findIndex((e) => e.length === body.length && e.equals(body));
      expect(match, `a body of ${body.length} bytes matches one stream's bytes`).toBeGreaterThanOrEqual(0);
      matched.add(match);
    }
    expect(matched.size).toBe(CONNS);
    if (name === 'native') expect(maxArena).toBeLessThanOrEqual(GATHER_MAX);
  }, 90_000);

  it.runIf(name === 'native')('writeChunk frames seeded UTF-8 text by its byte size (1- to 4-byte characters, empty skipped)', async () => {
    const rand = prng(5);
    const alphabet = ['a', 'é', '€', '😀', '\n'];
    const texts = Array.from({ length: 60 }, () =>
      Array.from({ length: Math.floor(rand() * (rand() < 0.2 ? 20_000 : 50)) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
    const { port } = await h.start(open((s) => {
      for (const t of texts) s.writeChunk!(t);
      s.write('0\r\n\r\n');
      s.end();
    }));
    const c = await h.connect(port);
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitFor('the end of the stream', () => (c.ended ? true : undefined), 60_000);
    expect(dechunk(c.received).toString('utf8')).toBe(texts.join(''));
  });

  it.runIf(name === 'native')('rows naming a lent chunk wrongly are dropped (bad index, length, flags; no lent list): the stream goes on', async () => {
    const { port, server } = await h.start(open((s, out, conn) => {
      const w = out as unknown as OutputWriter;
      const sink = (out as unknown as { sink: { flush(rows: number, lent?: readonly Uint8Array[]): void } }).sink;
      const seq = (s as unknown as { seq: number }).seq;
      const lent = [Buffer.alloc(LEND_MIN, 0x78)];
      const bad: Array<[number, number, number]> = [
        [OUT_LENT_OFF | 1, LEND_MIN, OutFlag.StreamData], // no such chunk
        [OUT_LENT_OFF | 0, LEND_MIN + 1, OutFlag.StreamData], // longer than the chunk
        [OUT_LENT_OFF | 0, LEND_MIN - 1, OutFlag.StreamData], // shorter
        [OUT_LENT_OFF | 0, LEND_MIN, OutFlag.StreamOpen], // not a data row
        [OUT_LENT_OFF | 0, LEND_MIN, OutFlag.StreamData | OutFlag.StreamEnd],
        [OUT_LENT_OFF | 0, LEND_MIN, OutFlag.Ws],
        [OUT_LENT_OFF | 0, 0, OutFlag.StreamData],
        [0xffff_ffff, 1, OutFlag.StreamData],
      ];
      for (const [off, len, flags] of bad) w.row(conn, seq, off, len, flags);
      sink.flush(w.finish(), lent);
      for (const [off, len, flags] of bad) w.row(conn, seq, off, len, flags);
      sink.flush(w.finish()); // no lent list at all
      sink.flush(0, [1, 'x', null] as unknown as Uint8Array[]); // not Uint8Arrays
      s.write('3\r\nabc\r\n0\r\n\r\n');
      s.end();
    }));
    const c = await h.connect(port);
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitFor('the end of the stream', () => (c.ended ? true : undefined));
    expect(c.received.toString('latin1')).toBe(`${HEAD}3\r\nabc\r\n0\r\n\r\n`);
    expect(server.stats().connections).toBeGreaterThanOrEqual(0);
  });
});
