import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/static/range.js';
import { contentDisposition } from '../../src/static/content-disposition.js';
import { prng } from '../support/prng.js';

/** The bytes a well-formed range list asks of a representation of `size` bytes (a reference model). */
function wanted(specs: Array<[number | null, number | null]>, size: number): Set<number> {
  const out = new Set<number>();
  for (const [a, b] of specs) {
    let start: number;
    let end: number;
    if (a === null) {
      start = Math.max(0, size - b!);
      end = b === 0 ? -1 : size - 1;
    } else {
      start = a;
      end = b === null ? size - 1 : Math.min(b, size - 1);
    }
    for (let i = start; i <= end; i++) out.add(i);
  }
  return out;
}

describe('parseRange (seeded properties)', () => {
  it('covers exactly the requested bytes, sorted, merged, within the size (10,000 cases)', () => {
    const rnd = prng(1409);
    const int = (n: number) => Math.floor(rnd() * n);
    for (let k = 0; k < 10_000; k++) {
      const size = int(4) === 0 ? 0 : int(300);
      const specs: Array<[number | null, number | null]> = [];
      const n = 1 + int(5);
      for (let j = 0; j < n; j++) {
        const kind = int(3);
        if (kind === 0) specs.push([null, int(size + 20)]);
        else {
          const a = int(size + 20);
          specs.push([a, kind === 1 ? null : a + int(60)]);
        }
      }
      const header = `bytes=${specs.map(([a, b]) => `${a ?? ''}-${b ?? ''}`).join(int(2) === 0 ? ',' : ' , ')}`;
      const r = parseRange(header, size, 1000);
      const want = wanted(specs, size);
      if (want.size === 0) {
        expect(r, header).toBe('unsatisfiable');
        continue;
      }
      expect(Array.isArray(r), header).toBe(true);
      const ranges = r as Array<{ start: number; end: number }>;
      const got = new Set<number>();
      let prevEnd = -2;
      for (const { start, end } of ranges) {
        expect(start, header).toBeGreaterThan(prevEnd + 1); // sorted, disjoint, not adjacent
        expect(start <= end && end < size, header).toBe(true);
        for (let i = start; i <= end; i++) got.add(i);
        prevEnd = end;
      }
      expect(got, header).toEqual(want);
    }
  });

  it('malformed values never throw and are ignored (null)', () => {
    const rnd = prng(77);
    const ALPHA = ['bytes', '=', '-', ',', ' ', '0', '1', '9', 'a', ';', '--', '99999999999999999999', 'x'];
    for (let k = 0; k < 5000; k++) {
      let h = '';
      for (let j = 0; j < 1 + Math.floor(rnd() * 8); j++) h += ALPHA[Math.floor(rnd() * ALPHA.length)];
      const r = parseRange(h, 100, 16);
      expect(r === null || r === 'unsatisfiable' || Array.isArray(r), h).toBe(true);
    }
  });
});

describe('contentDisposition (seeded)', () => {
  it('is always a valid header value that names the file, whatever the name (5,000 cases)', () => {
    const rnd = prng(6266);
    const CHARS = ['a', 'Z', '0', ' ', '"', '\\', '%', "'", ';', '\u00e9', '\u4e2d', '\ud83d\ude00', '\ud800', '\r', '\n', '\0', '/', '.', '*'];
    for (let k = 0; k < 5000; k++) {
      let name = '';
      for (let j = 0; j < Math.floor(rnd() * 12); j++) name += CHARS[Math.floor(rnd() * CHARS.length)];
      const v = contentDisposition(name);
      expect(/^[\t\x20-\x7e]*$/.test(v), JSON.stringify(name)).toBe(true);
      const base = (name.split(/[/\\]/).pop() ?? '').replace(/[\x00-\x1f\x7f]/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
      if (base === '') {
        expect(v).toBe('attachment');
        continue;
      }
      const star = /filename\*=UTF-8''([^;]*)$/.exec(v);
      if (star !== null) expect(decodeURIComponent(star[1]!)).toBe(base);
      else expect(v).toBe(`attachment; filename="${base.replace(/["\\]/g, '\\$&')}"`);
    }
  });
});
