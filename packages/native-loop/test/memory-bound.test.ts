import { afterEach, describe, expect, test } from 'vitest';
import type { HttpServer } from '../src/types.js';
import { GET, type RawClient } from './helpers/raw-client.js';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';

// Memory per connection is bounded by construction (README "Memory"): unframed input never exceeds
// the partial request at the front (≤ maxHeadBytes + maxBodyBytes) plus one read, whatever the client
// does. Checked from stats(): bytesRead − requests × (bytes per request) is exactly the input the
// server holds unframed, summed over the connections. Timing only paces the slow reader; every wait
// is a condition polled with a deadline.

const LIMITS = { maxHeadBytes: 4096, maxBodyBytes: 16 * 1024, highWaterMark: 64 * 1024, maxInFlight: 128 };
/** One read of the transport (libuv's and node's read buffers are 64 KiB). */
const READ_CHUNK = 64 * 1024;
/** The documented bound on unframed input per connection, with the limits above. */
const INPUT_BOUND = LIMITS.maxHeadBytes + LIMITS.maxBodyBytes + READ_CHUNK;
const REQUEST = GET('/');
const BODY = 'hello';
const CONNS = 6;
const POLL_MS = 20;
const DEADLINE_MS = 60_000;

/** Unframed input bytes the server holds over all connections (every request is REQUEST). */
function buffered(server: HttpServer): number {
  const s = server.stats();
  return s.bytesRead - s.requests * REQUEST.length;
}

/** Writes pipelined `GET /` as fast as the socket takes it (honouring its backpressure) until stopped. */
function pipelineForever(c: RawClient): { stop(): void; written(): number } {
  const chunk = Buffer.from(REQUEST.repeat(Math.floor(READ_CHUNK / REQUEST.length)));
  let stopped = false;
  let written = 0;
  const pump = (): void => {
    while (!stopped && !c.socket.destroyed) {
      written += chunk.length;
      if (!c.socket.write(chunk)) {
        c.socket.once('drain', pump);
        return;
      }
    }
  };
  c.socket.on('error', () => {});
  pump();
  return {
    stop: () => {
      stopped = true;
    },
    written: () => written,
  };
}

/**
 * Polls until `done()` (or the deadline), checking at every poll that the buffered input is within
 * the bound.
 */
async function watchBound(server: HttpServer, done: () => boolean): Promise<void> {
  const start = Date.now();
  for (;;) {
    expect(buffered(server), 'unframed input over all connections').toBeLessThanOrEqual(CONNS * INPUT_BOUND);
    if (done()) return;
    if (Date.now() - start > DEADLINE_MS) throw new Error(`deadline passed; stats ${JSON.stringify(server.stats())}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

describe.each(TRANSPORTS)('memory bound per connection ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  const start = () =>
    h.start(
      {
        onBatch(batch, out) {
          for (let i = 0; i < batch.count; i++) out.respond(batch.conn(i), batch.seq(i), ok(BODY.length), BODY, false);
        },
      },
      { limits: LIMITS },
    );

  test('clients pipelining GET / continuously while reading slowly: unframed input stays bounded', async () => {
    const { server, port } = await start();
    const clients = await Promise.all(Array.from({ length: CONNS }, () => h.connect(port)));
    const rss0 = process.memoryUsage().rss;
    // each client reads at about 200 KiB/s on average: it pauses once it got ahead of the rate
    const RATE = 200 * 1024;
    const t0 = Date.now();
    const allowed = (): number => (RATE * (Date.now() - t0)) / 1000;
    const readers = clients.map((c) => {
      c.discard = true;
      c.socket.on('data', () => {
        if (c.bytesReceived >= allowed()) c.socket.pause();
      });
      return setInterval(() => {
        if (c.bytesReceived < allowed()) c.socket.resume();
      }, 10);
    });
    const writers = clients.map(pipelineForever);
    try {
      // enough requests that the kernel's socket buffers are full, and enough bytes read by the
      // clients (about 3 s at their rate) that the server has long been paced by the slow readers
      const target = 180_000;
      const readTarget = CONNS * RATE * 3;
      const received = (): number => clients.reduce((n, c) => n + c.bytesReceived, 0);
      await watchBound(server, () => server.stats().requests >= target && received() >= readTarget);
      const growth = process.memoryUsage().rss - rss0;
      // per connection: input bound + high-water mark + the responses of maxInFlight requests; the
      // rest is slack for the JS heap of this process (clients included)
      expect(growth).toBeLessThan(CONNS * (INPUT_BOUND + LIMITS.highWaterMark) + 96 * 1024 * 1024);
    } finally {
      for (const w of writers) w.stop();
      for (const r of readers) clearInterval(r);
    }
  }, 120_000);

  test('clients pipelining GET / without ever reading: the server stops reading at the bound', async () => {
    const { server, port } = await start();
    const clients = await Promise.all(Array.from({ length: CONNS }, () => h.connect(port)));
    for (const c of clients) {
      c.discard = true;
      c.socket.pause(); // never read
    }
    const rss0 = process.memoryUsage().rss;
    const writers = clients.map(pipelineForever);
    try {
      // quiescence: the server has stopped reading (bytesRead unchanged for 25 polls in a row)
      let last = -1;
      let same = 0;
      await watchBound(server, () => {
        const r = server.stats().bytesRead;
        same = r === last ? same + 1 : 0;
        last = r;
        return same >= 25;
      });
      // the server read far less than the clients wrote: it stopped reading, it did not buffer
      const wrote = writers.reduce((n, w) => n + w.written(), 0);
      expect(server.stats().bytesRead).toBeLessThan(wrote);
      const growth = process.memoryUsage().rss - rss0;
      expect(growth).toBeLessThan(CONNS * (INPUT_BOUND + LIMITS.highWaterMark) + 96 * 1024 * 1024);
    } finally {
      for (const w of writers) w.stop();
    }
  }, 120_000);
});
