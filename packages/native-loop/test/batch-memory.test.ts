import { afterEach, describe, expect, test } from 'vitest';
import { GET } from './helpers/raw-client.js';
import { TRANSPORTS, echoHandlers, harness, ok } from './helpers/transports.js';

describe.each(TRANSPORTS)('batch memory ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('a body larger than the initial arena arrives whole (the shared memory grows and is re-bound)', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const seen: number[] = [];
    const { port } = await h.start(
      {
        onBatch(batch, out) {
          for (let i = 0; i < batch.count; i++) {
            const b = batch.body(i);
            let sum = 0;
            for (let k = 0; k < b.length; k += 4096) sum += b[k]!;
            seen.push(b.length);
            const text = `${b.length}:${sum}:${batch.target(i)}`;
            out.respond(batch.conn(i), batch.seq(i), ok(text.length), text, false);
          }
        },
      },
      { limits: { maxBodyBytes: 4 * 1024 * 1024 } },
    );
    const c = await h.connect(port);
    const body = Buffer.alloc(size);
    for (let k = 0; k < size; k++) body[k] = k % 251;
    let sum = 0;
    for (let k = 0; k < size; k += 4096) sum += body[k]!;
    await c.write(`POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n\r\n`);
    await c.write(body);
    await c.write(GET('/after'));
    const res = await c.responses(2);
    expect(res.map((r) => Buffer.from(r.body).toString())).toEqual([`${size}:${sum}:/big`, '0:0:/after']);
    expect(seen).toEqual([size, 0]);
  });

  test('more requests in one loop turn than the batch table holds are all answered in order', async () => {
    const { port } = await h.start(echoHandlers, { limits: { maxInFlight: 1_000_000 } });
    const clients = await Promise.all([0, 1, 2, 3].map(() => h.connect(port)));
    const N = 6000;
    await Promise.all(
      clients.map((c, k) => {
        let wire = '';
        for (let i = 0; i < N; i++) wire += GET(`/${k}/${i}`);
        return c.write(wire);
      }),
    );
    for (const [k, c] of clients.entries()) {
      const res = await c.responses(N);
      res.forEach((r, i) => expect(Buffer.from(r.body).toString()).toBe(`GET /${k}/${i} `));
    }
  });
});
