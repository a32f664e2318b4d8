import { describe, expect, it } from 'vitest';
import { SharedLines } from '../src/dispatch/shared-lines.js';
import { SET, SET_IF_ABSENT, SHARED, VARY } from '../src/middleware/fast-step.js';
import { prng } from './support/prng.js';

/** Recorded ops as `recordHeader` lays them out: [count, (op, name, key, value, line)*]. */
function record(entries: ReadonlyArray<{ op: number; key: string; line: string }>): unknown[] {
  const ops: unknown[] = [0];
  for (const e of entries) {
    const n = ops[0] as number;
    ops[n + 1] = e.op;
    ops[n + 2] = e.key;
    ops[n + 3] = e.key;
    ops[n + 4] = 'v';
    ops[n + 5] = e.line;
    ops[0] = n + 5;
  }
  return ops;
}

describe('SharedLines (a cached head prefix with the shared recorded lines)', () => {
  it('prefix + shared lines and own lines are those of the recorded lines, whatever is cached before (random sequences, duplicates answered null)', () => {
    const rnd = prng(31337);
    const prefixes = ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n'];
    const constants = ['Vary: Origin\r\n', 'Access-Control-Allow-Credentials: true\r\n', 'Access-Control-Allow-Origin: *\r\n'];
    const keys = ['vary', 'access-control-allow-credentials', 'access-control-allow-origin', 'x-request-id', 'x-a'];
    const s = new SharedLines();
    let reused = 0;
    for (let round = 0; round < 3000; round++) {
      const prefix = rnd() < 0.9 ? prefixes[0]! : prefixes[Math.floor(rnd() * 2)]!;
      const n = Math.floor(rnd() * 4);
      const entries: Array<{ op: number; key: string; line: string }> = [];
      for (let k = 0; k < n; k++) {
        const shared = rnd() < 0.6;
        const c = Math.floor(rnd() * constants.length);
        const op = [SET_IF_ABSENT, SET, VARY][Math.floor(rnd() * 3)]!;
        entries.push(shared
          ? { op: op | SHARED, key: keys[c]!, line: constants[c]! }
          : { op, key: keys[3 + Math.floor(rnd() * 2)]!, line: `X-Request-Id: id-${Math.floor(rnd() * 1e6)}\r\n` });
      }
      const before = (s as unknown as { head: string }).head;
      const head = s.split(prefix, record(entries));
      const dup = new Set(entries.map((e) => e.key)).size !== entries.length;
      if (dup) {
        expect(head).toBeNull();
        continue;
      }
      expect(head).toBe(prefix + entries.filter((e) => (e.op & SHARED) !== 0).map((e) => e.line).join(''));
      expect(s.own).toBe(entries.filter((e) => (e.op & SHARED) === 0).map((e) => e.line).join(''));
      if (Object.is(before, head) && round > 0) reused++;
    }
    expect(reused).toBeGreaterThan(100);
  });
});
