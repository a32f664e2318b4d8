/**
 * `RequestBatch.headerIndexOf` (the native batch's lookup of one header name in batch memory, used
 * by core's `req.header()` before the lines are copied out) finds exactly the lines whose name, ASCII
 * lowercased, is the key — checked against `headerName` on random heads over a real socket.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { harness, ok } from './helpers/transports.js';
import { createNativeServer } from '../src/native/server.js';
import type { RequestBatch } from '../src/types.js';
import { prng } from './support/prng.js';

const NAMES = ['origin', 'ORIGIN', 'Origin', 'x-request-id', 'X-Request-ID', 'x-deny', 'X-Denz', 'cookie', 'Cookie', 'a', 'A', 'origin2', 'orig', 'x_request-id'];
const KEYS = ['origin', 'x-request-id', 'x-deny', 'cookie', 'a', 'host', 'nothing', 'origin2', 'x_request-id', '', 'orig'];

/** Every index j of request i whose name lowercased is `key`, from `headerName`. */
function expected(batch: RequestBatch, i: number, key: string): number[] {
  const out: number[] = [];
  for (let j = 0; j < batch.headerCount(i); j++) if (batch.headerName(i, j).toLowerCase() === key) out.push(j);
  return out;
}

/** The same through `headerIndexOf`, walking with `from`. */
function found(batch: RequestBatch, i: number, key: string): number[] {
  const out: number[] = [];
  for (let j = batch.headerIndexOf!(i, key, 0); j >= 0; j = batch.headerIndexOf!(i, key, j + 1)) out.push(j);
  return out;
}

describe('native RequestBatch.headerIndexOf', () => {
  const h = harness(createNativeServer);
  afterEach(() => h.cleanup());

  test('finds exactly the lines of a name, case-insensitively, on random heads', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          for (const key of KEYS) {
            checked++;
            const a = expected(batch, i, key);
            const b = found(batch, i, key);
            if (a.join() !== b.join()) mismatches.push(`${key}: ${a.join()} vs ${b.join()}`);
          }
          out.respond(batch.conn(i), batch.seq(i), ok(2), 'ok', false);
        }
      },
    });
    const rnd = prng(2026);
    const c = await h.connect(port);
    let raw = '';
    const count = 200;
    for (let r = 0; r < count; r++) {
      let head = 'GET / HTTP/1.1\r\nHost: t\r\n';
      const n = Math.floor(rnd() * 8);
      for (let k = 0; k < n; k++) head += `${NAMES[Math.floor(rnd() * NAMES.length)]}: v${k}\r\n`;
      raw += `${head}\r\n`;
    }
    await c.write(raw);
    const rs = await c.responses(count);
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(checked).toBe(count * KEYS.length);
    expect(mismatches).toEqual([]);
  });
});
