/**
 * The shared HTTP case corpus (test/corpus/*.json) against every implementation: each case whole,
 * byte by byte and split in two at every offset must give the expected requests, error and final
 * state, and the implementations must agree with each other push by push.
 */
import { describe, expect, it } from 'vitest';
import { statusOf, ERROR_CODES, type ParseErrorCode } from '../src/types.js';
import { comparable, cut, drive, pieces, runWhole, type PushTrace } from './corpus/drive.js';
import { implementations, nativeAvailable, nativeLoadError } from './corpus/implementations.js';
import { loadCorpus, type CorpusCase } from './corpus/load.js';

const corpus = loadCorpus();

/** Every split offset for small inputs; for large ones an even sample plus the edges. */
function splitOffsets(n: number): number[] {
  if (n <= 4096) return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
  const out = new Set<number>();
  for (let i = 1; i <= 64; i++) out.add(Math.floor((n * i) / 65));
  for (let k = 1; k <= 16; k++) {
    out.add(k);
    out.add(n - k);
  }
  return [...out].filter((o) => o > 0 && o < n).sort((a, b) => a - b);
}

/** Byte by byte up to 64 KiB; above, 997-byte pieces (a prime, so pieces straddle every boundary kind). */
function smallPieces(c: CorpusCase): Iterable<Uint8Array> {
  return pieces(c.raw, c.raw.length <= 65536 ? 1 : 997);
}

describe('corpus data', () => {
  it('has at least 150 uniquely named cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it('uses only known error codes with their statuses', () => {
    for (const c of corpus) {
      const e = c.expect.error;
      if (e?.code === undefined) continue;
      expect(ERROR_CODES, c.name).toContain(e.code);
      expect(e.status, c.name).toBe(statusOf(e.code as ParseErrorCode));
    }
  });

  it('covers every rejection code that input can reach', () => {
    const seen = new Set(corpus.map((c) => c.expect.error?.code).filter((x) => x !== undefined));
    const missing = ERROR_CODES.filter((code) => code !== 'None' && !seen.has(code));
    expect(missing).toEqual([]);
  });
});

describe('implementations', () => {
  it('include the native parser', () => {
    expect(nativeAvailable, `native addon not loaded: ${String(nativeLoadError?.message)}`).toBe(true);
    expect(implementations.map((i) => i.name)).toEqual(['ts', 'native']);
  });
});

for (const impl of implementations) {
  describe(`corpus × ${impl.name}`, () => {
    for (const c of corpus) {
      it(`${c.file.replace('.json', '')}/${c.name}`, () => {
        const whole = runWhole(impl.create, c.raw, c.limits).outcome;
        expect(comparable(whole, c.expect), 'whole').toEqual(c.expect);

        const bytewise = drive(impl.create(c.limits), smallPieces(c)).outcome;
        expect(comparable(bytewise, c.expect), 'byte by byte').toEqual(c.expect);

        for (const at of splitOffsets(c.raw.length)) {
          const split = drive(impl.create(c.limits), cut(c.raw, [at])).outcome;
          // toEqual on every offset is slow to format; compare cheaply first.
          if (JSON.stringify(comparable(split, c.expect)) !== JSON.stringify(c.expect)) {
            expect(comparable(split, c.expect), `split at ${at}`).toEqual(c.expect);
          }
        }
      });
    }
  });
}

/**
 * Push by push, the implementations must return the same requests and awaitingBody until one of them
 * reports an error (an error may surface a push earlier in one than the other: e.g. the TS decoder
 * rejects a bad trailer byte at once, the C++ one when the trailer line's LF arrives), and must end
 * in the same outcome.
 */
function untilError(trace: PushTrace[], n: number): Array<Omit<PushTrace, 'error' | 'state'>> {
  return trace.slice(0, n).map(({ requests, awaitingBody }) => ({ requests, awaitingBody }));
}

function firstError(trace: PushTrace[]): number {
  const i = trace.findIndex((t) => t.error !== undefined);
  return i < 0 ? trace.length : i;
}

if (implementations.length > 1) {
  describe('implementations agree push by push', () => {
    for (const c of corpus) {
      it(c.name, () => {
        const runs = implementations.map((impl) => {
          const whole = runWhole(impl.create, c.raw, c.limits);
          const small = drive(impl.create(c.limits), pieces(c.raw, c.raw.length <= 65536 ? 7 : 4099));
          return { name: impl.name, whole, small };
        });
        const [first, ...rest] = runs;
        for (const other of rest) {
          const label = `${other.name} vs ${first!.name}`;
          expect(other.whole.trace, `${label}, whole`).toEqual(first!.whole.trace);
          expect(other.small.outcome, `${label}, 7-byte pieces`).toEqual(first!.small.outcome);
          const n = Math.min(firstError(other.small.trace), firstError(first!.small.trace));
          expect(untilError(other.small.trace, n), `${label}, 7-byte pieces`).toEqual(untilError(first!.small.trace, n));
        }
      });
    }
  });
}
