// ResponseStream.writeFramed (prefix + chunk + suffix as one write, no reference kept): on the native
// transport a chunk of LEND_MIN bytes or more is lent to the loop for one flush call (rows with
// OUT_LENT_OFF), the rest copied. The chunk is overwritten right after every call, the client reads
// slowly (partial writes: the tail is copied), and rows naming lent chunks wrongly are dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { OUT_LENT_OFF, OutFlag } from '../src/native/layout.js';
import { LEND_MIN, type OutputWriter } from '../src/native/output-writer.js';
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
