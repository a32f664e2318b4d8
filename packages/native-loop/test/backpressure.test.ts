import { afterEach, describe, expect, test } from 'vitest';
import { GET, seeded } from './helpers/raw-client.js';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';

/** Resolves once `read()` returned the same value `times` polls in a row (quiescence, not ordering). */
async function settled(read: () => number, times = 5, everyMs = 100): Promise<number> {
  let last = -1;
  let same = 0;
  for (;;) {
    const v = read();
    same = v === last ? same + 1 : 0;
    last = v;
    if (same >= times) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// Both transports bound in-flight requests per connection and stop reading above the high-water mark.
const BOUNDED = TRANSPORTS;

describe.each(BOUNDED)('backpressure ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('never more than maxInFlight requests of one connection are handed out unanswered', async () => {
    const rand = seeded(7);
    let inFlight = 0;
    let maxSeen = 0;
    const { port } = await h.start(
      {
        onBatch(batch, out) {
          for (let i = 0; i < batch.count; i++) {
            inFlight++;
            maxSeen = Math.max(maxSeen, inFlight);
            const conn = batch.conn(i);
            const seq = batch.seq(i);
            setTimeout(() => {
              inFlight--;
              out.respond(conn, seq, ok(1), 'k', false);
            }, Math.floor(rand() * 4));
          }
        },
      },
      { limits: { maxInFlight: 4 } },
    );
    const c = await h.connect(port);
    let wire = '';
    for (let i = 0; i < 300; i++) wire += GET(`/${i}`);
    await c.write(wire);
    const res = await c.responses(300);
    expect(res).toHaveLength(300);
    expect(maxSeen).toBe(4);
  });

  test('a client that pipelines without reading: the server stops reading, memory stays bounded', async () => {
    const body = 'y'.repeat(32 * 1024);
    let handled = 0;
    const { server, port } = await h.start(
      {
        onBatch(batch, out) {
          handled += batch.count;
          for (let i = 0; i < batch.count; i++) out.respond(batch.conn(i), batch.seq(i), ok(body.length), body, false);
        },
      },
      { limits: { highWaterMark: 64 * 1024, maxInFlight: 16 } },
    );
    const c = await h.connect(port);
    c.discard = true;
    c.socket.pause(); // never read
    const N = 6_000; // 6,000 × 32 KiB = 192 MiB of responses if nothing stopped the server
    let wire = '';
    for (let i = 0; i < N; i++) wire += GET(`/${i}`);
    const rss0 = process.memoryUsage().rss;
    void c.write(wire);
    const plateau = await settled(() => handled);
    // bounded by the kernel's socket buffers (a few MiB each way) plus the high-water mark
    expect(plateau).toBeLessThan(1000);
    expect(server.stats().bytesWritten).toBeLessThan(40 * 1024 * 1024);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(128 * 1024 * 1024);
    // reading again drains everything in order
    c.socket.resume();
    const got = await c.waitFor('all responses', () => (c.bytesReceived >= N * (body.length + 60) ? true : undefined), 60_000);
    expect(got).toBe(true);
    expect(handled).toBe(N);
  }, 120_000);

  test('a bad request behind requests held back by maxInFlight is answered after all of them', async () => {
    const { port } = await h.start(
      {
        onBatch(batch, out) {
          for (let i = 0; i < batch.count; i++) {
            const conn = batch.conn(i);
            const seq = batch.seq(i);
            const body = batch.target(i);
            setTimeout(() => out.respond(conn, seq, ok(body.length), body, false), 2);
          }
        },
      },
      { limits: { maxInFlight: 2 } },
    );
    const c = await h.connect(port);
    let wire = '';
    for (let i = 0; i < 9; i++) wire += GET(`/${i}`);
    await c.write(wire + 'BROKEN\r\n\r\n' + GET('/never'));
    const res = await c.untilEnd();
    expect(res.map((r) => (r.status === 200 ? Buffer.from(r.body).toString() : r.status))).toEqual([
      '/0', '/1', '/2', '/3', '/4', '/5', '/6', '/7', '/8', 400,
    ]);
  });
});
