import { afterEach, describe, expect, test } from 'vitest';
import { createNativeServer } from '../src/native/server.js';
import type { NumberedHead, ServerHandlers } from '../src/types.js';
import { GET, seeded } from './helpers/raw-client.js';
import { harness } from './helpers/transports.js';

// Numbered rows on a real socket (native transport): responses with a counter-made header line sent
// through respondNumbered and respondLines(…, numbered, num) — the loop expands each row's template
// with its number — must reach the client byte for byte as the head built as a string, in request
// order when they complete out of order (held ones are copies), with the close flag honoured.

const NUMBERS = [0, 1, 9, 10, 99, 100, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER];

function headOf(len: number, date: string): string {
  return `HTTP/1.1 200 OK\r\nServer: t\r\nDate: ${date}\r\nContent-Type: text/plain\r\nContent-Length: ${len}\r\n`;
}

describe('numbered rows (native)', () => {
  const h = harness(createNativeServer);
  afterEach(() => h.cleanup());

  test('seeded pipelined responses, in and out of order, give the bytes of their heads built as strings', async () => {
    const rand = seeded(2026);
    const bodies = ['Hello world!', '', 'héllo wörld ✓', 'x'.repeat(70_000), 'y'.repeat(3000)];
    const starts = ['X-Request-Id: k3J9xq2LwB0e-', 'Id: '];
    const heads: NumberedHead[] = [];
    for (const start of starts) {
      for (const date of ['Mon, 30 Nov 2026 08:00:00 GMT', 'Mon, 30 Nov 2026 08:00:01 GMT']) {
        for (const body of bodies) heads.push({ head: headOf(Buffer.byteLength(body), date), start });
      }
    }
    const want = new Map<number, string>();
    const N = 600;
    const handlers: ServerHandlers = {
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const conn = batch.conn(i);
          const seq = batch.seq(i);
          const k = Math.floor(rand() * heads.length);
          const tpl = heads[k]!;
          const body = bodies[k % bodies.length]!;
          const num = rand() < 0.5 ? NUMBERS[Math.floor(rand() * NUMBERS.length)]! : Math.floor(rand() * 1e7);
          const close = seq === N - 1;
          const viaLines = rand() < 0.3;
          want.set(seq, `${tpl.head}${tpl.start}${num}\r\n\r\n${body}`);
          const send = (): void => {
            if (viaLines) out.respondLines!(conn, seq, tpl.head, '', body, close, tpl.start, num);
            else out.respondNumbered!(conn, seq, tpl, body, num, close);
          };
          const r = rand();
          if (r < 0.6) send();
          else if (r < 0.8) queueMicrotask(send);
          else setTimeout(send, Math.floor(rand() * 5));
        }
      },
    };
    const { port } = await h.start(handlers);
    const c = await h.connect(port);
    let wire = '';
    for (let i = 0; i < N; i++) wire += GET(`/r${i}`);
    for (let at = 0; at < wire.length; ) {
      const n = 1 + Math.floor(rand() * 4000);
      await c.write(wire.slice(at, at + n));
      at += n;
    }
    await c.untilEnd(); // the last response closes the connection
    let expected = '';
    for (let i = 0; i < N; i++) expected += want.get(i)!;
    const got = c.received;
    expect(got.length).toBe(Buffer.byteLength(expected, 'utf8'));
    expect(got.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });
});
