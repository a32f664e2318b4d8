/**
 * Issue 9 (minor items) on both transports: the default header-line limit no longer answers 431 to
 * a normal request with many headers (the head byte limit is the guard), and HTTP/1.x with x > 1 is
 * handled as HTTP/1.1 (RFC 9110 §2.5) while other major versions stay 505.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';
import type { ServerHandlers } from '../src/types.js';

/** Answers each request with its header-line count and flags: `<count> <flags>`. */
const countHandlers: ServerHandlers = {
  onBatch(batch, out) {
    for (let i = 0; i < batch.count; i++) {
      const body = `${batch.headerCount(i)} ${batch.flags(i)}`;
      out.respond(batch.conn(i), batch.seq(i), ok(body.length), body, false);
    }
  },
};

const customHeaders = (n: number): string =>
  Array.from({ length: n }, (_, i) => `X-Custom-${i}: value-${i}\r\n`).join('');

describe.each(TRANSPORTS)('header lines and versions ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('Host + 100 custom headers is a 200 with the default limits (it was a 431)', async () => {
    const { port } = await h.start(countHandlers);
    const c = await h.connect(port);
    await c.write(`GET / HTTP/1.1\r\nHost: t\r\n${customHeaders(100)}\r\n`);
    const [r] = await c.responses(1);
    expect(r!.status).toBe(200);
    expect(Buffer.from(r!.body).toString()).toBe('101 1');
  });

  test('2000 header lines within the head byte limit are served; a head over it is still a 431', async () => {
    const { port } = await h.start(countHandlers);
    const c = await h.connect(port);
    await c.write(`GET / HTTP/1.1\r\nHost: t\r\n${'a: 1\r\n'.repeat(2000)}\r\n`);
    const [r] = await c.responses(1);
    expect([r!.status, Buffer.from(r!.body).toString()]).toEqual([200, '2001 1']);
    const d = await h.connect(port);
    await d.write(`GET / HTTP/1.1\r\nHost: t\r\n${'a:\r\n'.repeat(4100)}\r\n`);
    const [big] = await d.untilEnd();
    expect(big!.status).toBe(431);
  });

  test('at the largest default (16384 lines, a 128 KiB head): three such requests pipelined are all served', async () => {
    // the native loop's header scratch and batch header table must hold a request at the cap, and
    // several in one read (three exceed the table, so the loop dispatches between them)
    const { port } = await h.start(countHandlers, { limits: { maxHeadBytes: 128 * 1024 } });
    const c = await h.connect(port);
    const full = `GET / HTTP/1.1\r\nHost: t\r\n${'a:\r\n'.repeat(16_383)}\r\n`;
    await c.write(full + full + full);
    const rs = await c.responses(3);
    expect(rs.map((r) => [r.status, Buffer.from(r.body).toString()])).toEqual(Array(3).fill([200, '16384 1']));
    const d = await h.connect(port);
    await d.write(`GET / HTTP/1.1\r\nHost: t\r\n${'a:\r\n'.repeat(16_384)}\r\n`);
    const [over] = await d.untilEnd();
    expect(over!.status).toBe(431);
  });

  test('a configured maxHeaders still answers 431', async () => {
    const { port } = await h.start(countHandlers, { limits: { maxHeaders: 100 } });
    const c = await h.connect(port);
    await c.write(`GET / HTTP/1.1\r\nHost: t\r\n${customHeaders(100)}\r\n`);
    const [r] = await c.untilEnd();
    expect(r!.status).toBe(431);
  });

  test('HTTP/1.2 and HTTP/1.9 are served as HTTP/1.1 (keep-alive, pipelined); HTTP/2.0 is a 505', async () => {
    const { port } = await h.start(countHandlers);
    const c = await h.connect(port);
    await c.write('GET /a HTTP/1.2\r\nHost: t\r\n\r\nGET /b HTTP/1.9\r\nHost: t\r\n\r\nGET /c HTTP/1.1\r\nHost: t\r\n\r\n');
    const rs = await c.responses(3);
    // flags 1 = keep-alive, not HTTP/1.0
    expect(rs.map((r) => [r.status, Buffer.from(r.body).toString()])).toEqual([[200, '1 1'], [200, '1 1'], [200, '1 1']]);
    expect(c.ended).toBe(false);
    const d = await h.connect(port);
    await d.write('GET / HTTP/2.0\r\nHost: t\r\n\r\n');
    const [r] = await d.untilEnd();
    expect(r!.status).toBe(505);
  });
});
