// OutputWriter.framedRows on copied chunks (under LEND_MIN), against a sink that reads the rows back:
// a size line that repeats is written from kept bytes (not encoded again), a CRLF suffix as two bytes;
// seeded sequences of repeated, changed, equal-but-distinct, non-ASCII, over-long and empty prefixes
// and suffixes, and chunks overwritten right after each write, always give each stream exactly
// prefix + chunk + suffix in UTF-8, in order.
import { describe, expect, it } from 'vitest';
import { OUT_LENT_OFF, OutCol, OutFlag } from '../src/native/layout.js';
import { LEND_MIN, OutputWriter } from '../src/native/output-writer.js';
import { prng } from './support/prng.js';

/** The stream-data bytes each connection got from the rows of every flush. */
function recordingWriter() {
  const w = new OutputWriter();
  let arena!: Uint8Array;
  let table!: Uint32Array;
  const got = new Map<number, Buffer[]>();
  w.attach({
    setOutput(a, t) {
      arena = a;
      table = t;
    },
    flush(rows, lent) {
      for (let i = 0; i < rows; i++) {
        const r = i * OutCol.Count;
        if ((table[r + OutCol.Flags]! & OutFlag.StreamData) === 0) continue;
        const off = table[r + OutCol.Off]!;
        const len = table[r + OutCol.Len]!;
        const bytes = off >= OUT_LENT_OFF ? lent![off - OUT_LENT_OFF]!.subarray(0, len) : arena.subarray(off, off + len);
        const conn = table[r + OutCol.Conn]!;
        if (!got.has(conn)) got.set(conn, []);
        got.get(conn)!.push(Buffer.from(bytes));
      }
    },
  });
  w.highWaterMark = 1 << 30;
  return { w, got };
}

const events = { onDrain: () => {}, onClose: () => {} };
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('framedRows (copied chunks)', () => {
  it('seeded prefixes and suffixes (repeated, changed, non-ASCII, long, empty) frame every chunk byte-exact', async () => {
    const long = 'z'.repeat(5000); // over RepeatBytes' KEEP_MAX: encoded each time
    const prefixes = () => ['', '10000\r\n', ['100', '00\r\n'].join(''), 'ff\r\n', 'é€\r\n', long];
    const suffixes = ['', '\r\n', 'ab', 'ü\r\n'];
    for (let seed = 1; seed <= 20; seed++) {
      const rand = prng(seed);
      const { w, got } = recordingWriter();
      const conns = 1 + Math.floor(rand() * 3);
      const streams = Array.from({ length: conns }, (_, c) => w.stream(c + 1, 0, 'H\r\n\r\n', false, events));
      const expected = Array.from({ length: conns }, () => [] as Buffer[]);
      const buf = Buffer.alloc(LEND_MIN - 1);
      let prefix = '';
      for (let k = 0; k < 60; k++) {
        // mostly the same size line again (kept bytes), sometimes another one
        if (rand() < 0.35) prefix = prefixes()[Math.floor(rand() * 6)]!;
        const suffix = suffixes[Math.floor(rand() * suffixes.length)]!;
        const size = rand() < 0.1 ? 0 : Math.floor(rand() * (rand() < 0.2 ? LEND_MIN - 1 : 300));
        const c = Math.floor(rand() * conns);
        const chunk = buf.subarray(0, size);
        for (let i = 0; i < size; i++) chunk[i] = Math.floor(rand() * 256);
        expected[c]!.push(Buffer.from(prefix), Buffer.from(chunk), Buffer.from(suffix));
        streams[c]!.writeFramed!(prefix, chunk, suffix);
        chunk.fill(0xee); // the producer reuses its buffer at once
        if (rand() < 0.1) await turn(); // a flush between some writes
      }
      await turn();
      for (let c = 0; c < conns; c++) {
        expect(Buffer.concat(got.get(c + 1) ?? []).equals(Buffer.concat(expected[c]!)), `seed ${seed} stream ${c}`).toBe(true);
      }
    }
  });
});
