/**
 * The WebSocket frame case list (test/ws-corpus/*.json) against the TypeScript frame parser: each case
 * whole, byte by byte and split in two at every offset gives the expected events; seeded hostile
 * streams (random splits and mutations) never throw and never report more than one final event.
 * The same list runs through the C++ parser in test/native/run.mjs (target ws).
 */
import { describe, expect, it } from 'vitest';
import { WsFrameParser, encodeWsClose, encodeWsFrame, validUtf8, writeWsHeader } from '../src/ts/ws-frame.js';
import { eventString, loadWsCorpus, type WsCase } from './ws-corpus/load.mjs';
import { prng } from './support/prng.js';

const cases = loadWsCorpus();

function run(c: WsCase, chunks: Uint8Array[]): string[] {
  const events: string[] = [];
  const p = new WsFrameParser({
    onMessage(op, data, compressed) {
      events.push(eventString(`${op === 1 ? 'text' : 'binary'}${compressed ? '+z' : ''}`, data));
    },
    onControl(op, data) {
      events.push(eventString(op === 9 ? 'ping' : 'pong', data));
    },
    onClose(code, reason) {
      events.push(eventString('close', reason, code));
    },
    onError(code) {
      events.push(eventString('error', null, code));
    },
  }, c.limits);
  for (const chunk of chunks) {
    let at = 0;
    while (at < chunk.length) at += p.parse(chunk.subarray(at));
  }
  return events;
}

const copy = (b: Uint8Array): Uint8Array => Uint8Array.from(b);

describe('ws frame case list (TypeScript parser)', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(80);
  });
  for (const c of cases) {
    it(`${c.file}#${c.name}`, () => {
      expect(run(c, [copy(c.raw)])).toEqual(c.events);
      if (c.raw.length <= 4096) {
        const bytes = copy(c.raw);
        expect(run(c, Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(c.events);
        for (let cut = 1; cut < c.raw.length; cut++) {
          const b = copy(c.raw);
          expect(run(c, [b.subarray(0, cut), b.subarray(cut)])).toEqual(c.events);
        }
      } else {
        const b = copy(c.raw);
        const pieces: Uint8Array[] = [];
        for (let at = 0; at < b.length; at += 997) pieces.push(b.subarray(at, at + 997));
        expect(run(c, pieces)).toEqual(c.events);
      }
    });
  }
});

describe('seeded hostile frame streams (TypeScript parser)', () => {
  it('random mutations and splits never throw; at most one final event, and it is the last', () => {
    const rand = prng(0x5eed_14);
    for (let round = 0; round < 3000; round++) {
      const c = cases[Math.floor(rand() * cases.length)]!;
      const b = copy(c.raw.subarray(0, Math.min(c.raw.length, 2048)));
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips && b.length > 0; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < b.length;) {
        const n = 1 + Math.floor(rand() * 64);
        chunks.push(b.subarray(at, at + n));
        at += n;
      }
      const events = run({ ...c, limits: { ...c.limits, maxMessage: 1024 } }, chunks);
      const finals = events.filter((e) => e.startsWith('error:') || e.startsWith('close:'));
      expect(finals.length).toBeLessThanOrEqual(1);
      if (finals.length === 1) expect(events.at(-1)).toBe(finals[0]);
      for (const e of events.filter((x) => x.startsWith('error:'))) expect(['error:1002', 'error:1007', 'error:1009']).toContain(e);
    }
  });
});

describe('ws frame writer', () => {
  it('uses the minimal length encoding at 125 / 126 / 65535 / 65536', () => {
    const out = new Uint8Array(14);
    expect(writeWsHeader(out, 0, 2, 125)).toBe(2);
    expect(writeWsHeader(out, 0, 2, 126)).toBe(4);
    expect([...out.subarray(0, 4)]).toEqual([0x82, 126, 0, 126]);
    expect(writeWsHeader(out, 0, 2, 65535)).toBe(4);
    expect(writeWsHeader(out, 0, 2, 65536)).toBe(10);
    expect([...out.subarray(0, 10)]).toEqual([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(writeWsHeader(out, 0, 1, 2 ** 32 + 5, false)).toBe(10);
    expect([...out.subarray(0, 10)]).toEqual([0x01, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
  });

  it('a written frame parses back (with requireMask off)', () => {
    const got: string[] = [];
    const p = new WsFrameParser({
      onMessage: (op, d) => void got.push(`${op}:${Buffer.from(d).toString()}`),
      onControl: () => {}, onClose: (code) => void got.push(`close:${code}`), onError: (code) => void got.push(`err:${code}`),
    }, { requireMask: false });
    p.parse(Buffer.concat([encodeWsFrame(1, Buffer.from('héllo')), encodeWsClose(1000, 'bye')]));
    expect(got).toEqual(['1:héllo', 'close:1000']);
  });

  it('close reasons are cut at 123 bytes on a UTF-8 boundary', () => {
    const f = encodeWsClose(1000, 'é'.repeat(100));
    expect(f[1]).toBeLessThanOrEqual(125);
    expect(validUtf8(f.subarray(4))).toBe(true);
    expect(encodeWsClose(1005)).toEqual(Buffer.from([0x88, 0]));
  });
});
