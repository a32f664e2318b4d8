import { describe, expect, test } from 'vitest';
import { OutputWriter } from '../src/native/output-writer.js';
import { prng } from './support/prng.js';

// Columns of an output row (src/native/layout.ts OutCol): conn, seq, off, len, flags, num, split.
const COLS = 7;
/** OutFlag.Numbered: the row's bytes are a template, the digits of its num go at its split. */
const NUMBERED = 2048;

/** A sink like the native server's: it reads each row's bytes out of the shared arena. */
class Sink {
  arena!: Uint8Array;
  table!: Uint32Array;
  setOutput(arena: Uint8Array, table: Uint32Array): void {
    this.arena = arena;
    this.table = table;
  }
  flush(_rows: number): void {}
  rows(n: number): Array<{ conn: number; seq: number; flags: number; bytes: Buffer }> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const r = i * COLS;
      const off = this.table[r + 2]!;
      let bytes = Buffer.from(this.arena.subarray(off, off + this.table[r + 3]!));
      const flags = this.table[r + 4]!;
      if ((flags & NUMBERED) !== 0) {
        // as native/numbered_out.hpp expands it
        const split = this.table[r + 6]!;
        bytes = Buffer.concat([bytes.subarray(0, split), Buffer.from(String(this.table[r + 5]!), 'latin1'), bytes.subarray(split)]);
      }
      out.push({ conn: this.table[r]!, seq: this.table[r + 1]!, flags: flags & ~NUMBERED, bytes });
    }
    return out;
  }
}

type Body = string | Uint8Array | null;

/** The bytes of a response built fresh: head, then the body (a string as UTF-8). */
function fresh(head: string, body: Body): Buffer {
  const b = body === null ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function ascii(rnd: () => number, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += String.fromCharCode(0x21 + Math.floor(rnd() * 94));
  return s;
}

describe('OutputWriter head reuse (respondLines with a cached prefix and numbered lines, respond with a repeated head)', () => {
  test('random sequences of heads with and without per-response lines and numbered lines give the bytes of each head built fresh', () => {
    for (const seed of [1, 7, 42, 1234, 99991]) {
      const rnd = prng(seed);
      const sink = new Sink();
      const w = new OutputWriter();
      w.attach(sink);
      w.inBatch = true;
      // prefixes kept as objects (identity hits), and equal-content copies made anew (identity misses)
      const prefixes = [
        'HTTP/1.1 200 OK\r\nServer: jato\r\nDate: Mon, 30 Nov 2026 01:00:00 GMT\r\nContent-Length: 12\r\n',
        'HTTP/1.1 200 OK\r\nServer: jato\r\nDate: Mon, 30 Nov 2026 01:00:01 GMT\r\nContent-Length: 12\r\n',
        'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n',
        '',
      ];
      const bodies: Body[] = [
        'Hello world!', 'Hello world?', '', null, 'héllo wörld ✓', '日本語', 'x'.repeat(5000),
        new Uint8Array([1, 2, 3, 0, 255]), new Uint8Array(0),
      ];
      const numberedStarts = ['X-Request-Id: k3J9xq2LwB0e-', 'Id: ', 'X-Trace: a.b:c@d/e+f=g-'];
      const numbers = [0, 1, 9, 10, 99, 100, 999, 1000, 123456, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
      for (let batch = 0; batch < 40; batch++) {
        const big = rnd() < 0.1; // some batches pass the initial arena (1 MiB) and row table (4096 rows)
        const n = big ? 4000 + Math.floor(rnd() * 1500) : 1 + Math.floor(rnd() * 60);
        const expected: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          let body: Body = pick(rnd, bodies);
          if (big && rnd() < 0.05) body = ascii(rnd, 2000 + Math.floor(rnd() * 3000));
          if (rnd() < 0.15 && typeof body === 'string') body = `${body}`.split('').join(''); // equal, another object
          let prefix = pick(rnd, prefixes);
          if (rnd() < 0.2) prefix = prefix.split('').join('');
          const close = rnd() < 0.1;
          if (rnd() < 0.5) {
            const lines = rnd() < 0.3 ? '' : `X-Request-Id: ${ascii(rnd, 1 + Math.floor(rnd() * 40))}\r\n${rnd() < 0.5 ? 'Vary: Origin\r\n' : ''}`;
            if (rnd() < 0.5) {
              // a numbered line (a counter-made id): its start kept as an object, its number as digits
              let numbered = pick(rnd, numberedStarts);
              if (rnd() < 0.1) numbered = numbered.split('').join('');
              const num = rnd() < 0.6 ? pick(rnd, numbers) : Math.floor(rnd() * 10 ** Math.floor(rnd() * 16));
              w.respondLines(3, i, prefix, lines, body, close, numbered, num);
              expected.push(fresh(`${prefix}${lines}${numbered}${num}\r\n\r\n`, body));
            } else {
              w.respondLines(3, i, prefix, lines, body, close);
              expected.push(fresh(`${prefix}${lines}\r\n`, body));
            }
          } else {
            const head = rnd() < 0.5 ? prefix + '\r\n' : `${prefix}X-Other: ${ascii(rnd, 3)}\r\n\r\n`;
            w.respond(3, i, head, body, close);
            expected.push(fresh(head, body));
          }
        }
        const rows = sink.rows(w.finish());
        expect(rows.length).toBe(n);
        for (let i = 0; i < n; i++) {
          if (!rows[i]!.bytes.equals(expected[i]!)) {
            throw new Error(`seed ${seed}, batch ${batch}, row ${i}: ${JSON.stringify(rows[i]!.bytes.toString('latin1').slice(0, 200))} != ${JSON.stringify(expected[i]!.toString('latin1').slice(0, 200))}`);
          }
          expect(rows[i]!.seq).toBe(i);
        }
      }
    }
  });

  test('a response with lines outside a batch is flushed on the next tick with its own bytes', async () => {
    const sink = new Sink();
    let flushed = -1;
    sink.flush = (n: number) => {
      flushed = n;
    };
    const w = new OutputWriter();
    w.attach(sink);
    const prefix = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n';
    w.respondLines(1, 0, prefix, 'A: 1\r\n', 'hi', false);
    w.respondLines(1, 1, prefix, 'A: 22\r\n', 'hi', true);
    await new Promise<void>((r) => process.nextTick(r));
    expect(flushed).toBe(2);
    const rows = sink.rows(2);
    expect(rows.map((r) => r.bytes.toString('latin1'))).toEqual([`${prefix}A: 1\r\n\r\nhi`, `${prefix}A: 22\r\n\r\nhi`]);
    expect(rows.map((r) => r.flags)).toEqual([0, 1]);
  });
});
