import { afterEach, describe, expect, test } from 'vitest';
import { GET } from './helpers/raw-client.js';
import { TRANSPORTS, echoHandlers, harness, ok } from './helpers/transports.js';

// Timeouts are configured short; bounds on the measured cut times are generous (busy 2-core machine).
const SHORT = 300;
const LATE = 4_000;
// The keep-alive timeout also bounds the wait for a new connection's first byte: long enough that a
// busy machine cannot stall the client between connect and write past it.
const IDLE = 1_000;

describe.each(TRANSPORTS)('timeouts ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('header section: 408 within the timeout of its first byte, trickling does not reset it', async () => {
    const { port } = await h.start(echoHandlers, { timeouts: { headers: SHORT } });
    const c = await h.connect(port);
    const t0 = Date.now();
    await c.write('GET / HTTP/1.1\r\n');
    const trickle = setInterval(() => void c.write('X-T: 1\r\n'), 40);
    try {
      const res = await c.untilEnd();
      const cut = c.endedAt! - t0;
      expect(res.map((r) => r.status)).toEqual([408]);
      expect(res[0]!.headers['connection']).toBe('close');
      expect(cut).toBeGreaterThanOrEqual(SHORT - 20);
      expect(cut).toBeLessThan(LATE);
    } finally {
      clearInterval(trickle);
    }
  });

  test('body: minimum data rate after the grace period, then 408', async () => {
    const { port } = await h.start(echoHandlers, { timeouts: { bodyGrace: SHORT, bodyMinRate: 10_000 } });
    const c = await h.connect(port);
    const t0 = Date.now();
    await c.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n0123456789');
    const res = await c.untilEnd();
    const cut = c.endedAt! - t0;
    expect(res.map((r) => r.status)).toEqual([408]);
    expect(cut).toBeGreaterThanOrEqual(SHORT - 20);
    expect(cut).toBeLessThan(LATE);
  });

  test('a body that keeps the minimum rate is not cut', async () => {
    // The upload outlasts the grace, so the rate is enforced while it runs. Each 20-byte piece buys
    // 2 s at 10 bytes/s, and the first comes with the head: a client stalled by a busy machine for
    // less than 2 s between pieces still keeps the rate (2-byte pieces after a 50 ms pause did not).
    const { port } = await h.start(echoHandlers, { timeouts: { bodyGrace: 100, bodyMinRate: 10 } });
    const c = await h.connect(port);
    const piece = 'abcdefghij'.repeat(2);
    await c.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${piece.length * 6}\r\n\r\n${piece}`);
    for (let i = 1; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 50)); // pacing the upload, not synchronisation
      await c.write(piece);
    }
    const [r] = await c.responses(1);
    expect(r!.status).toBe(200);
    expect(Buffer.from(r!.body).toString()).toBe(`POST / ${piece.repeat(6)}`);
  });

  test('keep-alive idle: the connection is closed (no 408) after the idle timeout', async () => {
    const { port } = await h.start(echoHandlers, { timeouts: { keepAlive: IDLE } });
    const c = await h.connect(port);
    // measured from before the request: the idle timer starts after the answer, so never earlier
    // (taking t0 when the answer arrives let a busy machine's delay eat into the lower bound)
    const t0 = Date.now();
    await c.write(GET('/a'));
    await c.responses(1);
    const res = await c.untilEnd();
    const idle = c.endedAt! - t0;
    expect(res).toHaveLength(1); // only the answer to /a
    expect(idle).toBeGreaterThanOrEqual(IDLE - 20);
    expect(idle).toBeLessThan(LATE);
  });

  test('write timeout: a client that stops reading is cut', async () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    let closedAt = 0;
    let onClosed!: () => void;
    const closed = new Promise<void>((r) => (onClosed = r));
    const { server, port } = await h.start(
      {
        onBatch(batch, out) {
          for (let i = 0; i < batch.count; i++) out.respond(batch.conn(i), batch.seq(i), ok(big.length), big, false);
        },
        onConnectionClose() {
          closedAt = Date.now();
          onClosed();
        },
      },
      { timeouts: { write: SHORT } },
    );
    const c = await h.connect(port);
    c.socket.pause();
    const t0 = Date.now();
    await c.write(GET('/big') + GET('/big'));
    await closed;
    expect(closedAt - t0).toBeGreaterThanOrEqual(SHORT - 20);
    expect(closedAt - t0).toBeLessThan(LATE + 4000);
    expect(server.stats().connections).toBe(0);
  });
});
