import { afterEach, describe, expect, test } from 'vitest';
import type { ServerHandlers } from '../src/types.js';
import { holdSlow } from './helpers/held-responses.js';
import { GET, seeded } from './helpers/raw-client.js';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';

describe.each(TRANSPORTS)('pipelining ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('thousands of pipelined requests with sync, microtask and timer completions stay in order', async () => {
    const rand = seeded(42);
    let maxBatch = 0;
    const handlers: ServerHandlers = {
      onBatch(batch, out) {
        maxBatch = Math.max(maxBatch, batch.count);
        for (let i = 0; i < batch.count; i++) {
          const conn = batch.conn(i);
          const seq = batch.seq(i);
          const body = `${batch.target(i)}#${seq}`;
          const send = (): void => out.respond(conn, seq, ok(body.length), body, false);
          const r = rand();
          if (r < 0.4) send();
          else if (r < 0.6) queueMicrotask(send);
          else setTimeout(send, Math.floor(rand() * 8));
        }
      },
    };
    const { port } = await h.start(handlers);
    const PER_CONN = 1500;
    const clients = await Promise.all([0, 1, 2].map(() => h.connect(port)));
    await Promise.all(
      clients.map(async (c, k) => {
        // write in uneven slices so requests straddle reads
        let wire = '';
        for (let i = 0; i < PER_CONN; i++) wire += GET(`/c${k}/r${i}`);
        for (let at = 0; at < wire.length; ) {
          const n = 1 + Math.floor(rand() * 9000);
          await c.write(wire.slice(at, at + n));
          at += n;
        }
      }),
    );
    const all = await Promise.all(clients.map((c) => c.responses(PER_CONN)));
    all.forEach((responses, k) => {
      expect(responses).toHaveLength(PER_CONN);
      responses.forEach((r, i) => {
        expect(r.status).toBe(200);
        expect(Buffer.from(r.body).toString()).toBe(`/c${k}/r${i}#${i}`);
      });
    });
    expect(maxBatch).toBeGreaterThan(1); // requests were batched, not one call each
  });

  test('an async response for an earlier request holds later ones back; the connection stays open', async () => {
    const { handlers, pending, reached: slowReached } = holdSlow((batch, i) => batch.target(i));
    const { port } = await h.start(handlers);
    const c = await h.connect(port);
    await c.write(GET('/slow') + GET('/a') + GET('/b'));
    await slowReached;
    // nothing may be written before /slow completes
    await new Promise((r) => setImmediate(r));
    expect(c.received.length).toBe(0);
    pending[0]!();
    const res = await c.responses(3);
    expect(res.map((r) => Buffer.from(r.body).toString())).toEqual(['/slow', '/a', '/b']);
    await c.write(GET('/after'));
    const more = await c.responses(4);
    expect(Buffer.from(more[3]!.body).toString()).toBe('/after');
    expect(c.ended).toBe(false);
  });

  test('a response with close=true ends the connection after it; later responses are dropped', async () => {
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const body = batch.target(i);
          out.respond(batch.conn(i), batch.seq(i), ok(body.length, 'Connection: close\r\n'), body, body === '/bye');
        }
      },
    });
    const c = await h.connect(port);
    await c.write(GET('/a') + GET('/bye') + GET('/never'));
    const res = await c.untilEnd();
    expect(res.map((r) => Buffer.from(r.body).toString())).toEqual(['/a', '/bye']);
  });

  test('Uint8Array bodies and non-ASCII string bodies keep their bytes', async () => {
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const t = batch.target(i);
          if (t === '/bytes') {
            const b = new Uint8Array([0, 255, 1, 254, 10, 13]);
            out.respond(batch.conn(i), batch.seq(i), ok(b.length), b, false);
          } else {
            const s = 'héllo ✓ 😀';
            out.respond(batch.conn(i), batch.seq(i), ok(Buffer.byteLength(s)), s, false);
          }
        }
      },
    });
    const c = await h.connect(port);
    await c.write(GET('/utf8') + GET('/bytes') + GET('/utf8'));
    const res = await c.responses(3);
    expect(Buffer.from(res[0]!.body).toString('utf8')).toBe('héllo ✓ 😀');
    expect([...res[1]!.body]).toEqual([0, 255, 1, 254, 10, 13]);
    expect(Buffer.from(res[2]!.body).toString('utf8')).toBe('héllo ✓ 😀');
  });

  test('repeated identical responses (shared bytes) interleaved with other bodies keep every byte', async () => {
    const fixed = 'same ✓';
    const fixedHead = ok(Buffer.byteLength(fixed));
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const t = batch.target(i);
          if (t.startsWith('/same')) out.respond(batch.conn(i), batch.seq(i), fixedHead, fixed, false);
          else if (t.startsWith('/bytes')) out.respond(batch.conn(i), batch.seq(i), ok(3), new Uint8Array([1, 2, 3]), false);
          else out.respond(batch.conn(i), batch.seq(i), ok(t.length), t, false);
        }
      },
    });
    const kinds = ['/same', '/same', '/other', '/same', '/bytes', '/same', '/same', '/x'];
    const clients = await Promise.all([0, 1].map(() => h.connect(port)));
    let wire = '';
    for (let i = 0; i < 400; i++) wire += GET(kinds[i % kinds.length]!);
    await Promise.all(clients.map((c) => c.write(wire)));
    for (const c of clients) {
      const res = await c.responses(400);
      res.forEach((r, i) => {
        const k = kinds[i % kinds.length]!;
        const got = Buffer.from(r.body);
        if (k === '/same') expect(got.toString()).toBe(fixed);
        else if (k === '/bytes') expect([...got]).toEqual([1, 2, 3]);
        else expect(got.toString()).toBe(k);
      });
    }
  });

  test('tiny responses completed in reverse order are written in request order', async () => {
    const pending: Array<() => void> = [];
    let all!: () => void;
    const gotAll = new Promise<void>((r) => (all = r));
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const conn = batch.conn(i);
          const seq = batch.seq(i);
          pending.push(() => out.respond(conn, seq, `r${seq}|`, null, false));
        }
        if (pending.length === 20) all();
      },
    });
    const c = await h.connect(port);
    let wire = '';
    for (let i = 0; i < 20; i++) wire += GET(`/${i}`);
    await c.write(wire);
    await gotAll;
    for (const send of pending.reverse()) send();
    let expected = '';
    for (let i = 0; i < 20; i++) expected += `r${i}|`;
    await c.waitFor('all tiny responses', () => (c.received.length >= expected.length ? true : undefined));
    expect(c.received.toString('latin1')).toBe(expected);
  });
});
