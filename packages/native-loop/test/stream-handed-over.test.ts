// ResponseStream.writeFramed(prefix, chunk, suffix, handedOver = true): the caller promises the chunk
// is never modified again, so the transport may keep a reference until it is written. Native: a chunk
// of REF_MIN bytes or more is lent to the loop with the tick's flush (its framing in the arena; one
// writev per connection; past GATHER_MAX the gathered rows are flushed first) and no reference is
// kept after that flush (what the socket did not take is copied): the chunks are overwritten once
// the tick is over and the client, which read nothing until then, still gets the original bytes.
// Rows written in a batch, and lent rows still pending when the loop takes a batch's rows, are copied.
import { afterEach, describe, expect, it } from 'vitest';
import { GATHER_MAX, REF_MIN, type OutputWriter } from '../src/native/output-writer.js';
import type { ResponseStream } from '../src/types.js';
import { prng } from '../../parser/test/support/prng.js';
import { TRANSPORTS, harness } from './helpers/transports.js';

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const SIZES = [1, 100, REF_MIN - 1, REF_MIN, REF_MIN + 1, 64 * 1024, 256 * 1024, 1024 * 1024];

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

function seeded(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let k = 0; k < size; k++) b[k] = (k * 13 + seed * 7 + (k >> 9)) & 0xff;
  return b;
}

describe.each(TRANSPORTS)('writeFramed with handed-over chunks ($name)', ({ name, create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  it('seeded sizes across REF_MIN in one tick (over GATHER_MAX), the chunks overwritten once the tick is over, a client that reads late: byte-exact', async () => {
    const rand = prng(2024);
    const sizes: number[] = [];
    for (let total = 0; total < GATHER_MAX + 2 * 1024 * 1024; ) {
      const n = SIZES[Math.floor(rand() * SIZES.length)]!;
      sizes.push(n);
      total += n;
    }
    const chunks = sizes.map((n, i) => seeded(n, i));
    const expected = Buffer.concat(chunks);
    let stream!: ResponseStream;
    let opened!: () => void;
    const ready = new Promise<void>((r) => (opened = r));
    const { port } = await h.start({
      onBatch(batch, out) {
        stream = out.stream!(batch.conn(0), batch.seq(0), HEAD, true, { onDrain: () => {}, onClose: () => {} });
        setImmediate(opened);
      },
    });
    const c = await h.connect(port);
    c.socket.pause(); // nothing read until the chunks were overwritten: partial writes, copied tails
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await ready;
    for (const chunk of chunks) stream.writeFramed!(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n', true);
    stream.write('0\r\n\r\n');
    stream.end();
    await new Promise((r) => setImmediate(r)); // the tick's flush is over
    for (const chunk of chunks) chunk.fill(0xee); // no reference may be left
    c.socket.resume();
    await c.waitFor('the end of the stream', () => (c.ended ? true : undefined), 60_000);
    const body = dechunk(c.received);
    expect(body.length).toBe(expected.length);
    expect(body.equals(expected)).toBe(true);
  }, 90_000);

  it('handed-over chunks written in a batch (copied there), with a Content-Length (no framing), and plain ones in between: byte-exact', async () => {
    const chunks = SIZES.map((n, i) => seeded(n, 100 + i));
    const total = chunks.reduce((n, b) => n + b.length, 0) * 2;
    const { port } = await h.start({
      onBatch(batch, out) {
        const s = out.stream!(batch.conn(0), batch.seq(0), `HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\n\r\n`, true, { onDrain: () => {}, onClose: () => {} });
        for (const chunk of chunks) s.writeFramed!('', chunk, '', true); // in the batch
        setImmediate(() => {
          for (const [i, chunk] of chunks.entries()) s.writeFramed!('', chunk, '', i % 2 === 0);
          s.end();
        });
      },
    });
    const c = await h.connect(port);
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitFor('the end', () => (c.ended ? true : undefined), 60_000);
    const raw = c.received;
    const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
    expect(body.equals(Buffer.concat([...chunks, ...chunks]))).toBe(true);
  }, 60_000);

  it.runIf(name === 'native')('lent rows still pending when the loop takes a batch\'s rows are copied into the arena first', async () => {
    const chunk = seeded(REF_MIN * 3, 9);
    const { port } = await h.start({
      onBatch(batch, out) {
        const s = out.stream!(batch.conn(0), batch.seq(0), HEAD, true, { onDrain: () => {}, onClose: () => {} });
        setImmediate(() => {
          const w = out as unknown as OutputWriter;
          const sink = (out as unknown as { sink: { flush(rows: number, lent?: readonly Uint8Array[]): void } }).sink;
          s.writeFramed!(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n', true);
          // what the loop does with a batch's rows: finish() and no lent list
          sink.flush(w.finish());
          chunk.fill(0xee);
          s.write('0\r\n\r\n');
          s.end();
        });
      },
    });
    const c = await h.connect(port);
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitFor('the end', () => (c.ended ? true : undefined), 60_000);
    expect(dechunk(c.received).equals(seeded(REF_MIN * 3, 9))).toBe(true);
  });
});
