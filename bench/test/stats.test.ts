import { describe, expect, it } from 'vitest';
import { summarize } from '../src/stats.mjs';
import { roundOrder, summarizeRuns, problems, CLIENT_BOUND_SHARE } from '../src/run-bench.mjs';
import type { RunResult, BenchResult } from '../src/run-bench.mjs';
import { parseOptions } from '../src/options.mjs';

describe('summarize', () => {
  it('takes the middle value of an odd count, in any input order', () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
  });
  it('averages the two middle values of an even count', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
  });
  it('ignores non-finite values and reports an empty input as NaN', () => {
    expect(summarize([NaN, 5, undefined, Infinity, 7])).toEqual({ median: 6, min: 5, max: 7, n: 2 });
    const e = summarize([]);
    expect(e.n).toBe(0);
    expect(e.median).toBeNaN();
  });
});

function run(over: Partial<RunResult>): RunResult {
  return {
    rps: 100, requests: 1000, seconds: 10, serverCpuSeconds: 1, serverUsPerRequest: 1000, serverCpuShare: 0.1,
    wrkCpuShare: 0.5, otherCpuCores: 0, rssBytes: 10, socketErrors: 0, socketErrorKinds: { connect: 0, read: 0, write: 0, timeout: 0 }, non2xx: 0, ...over,
  };
}

describe('runs of a cell', () => {
  it('alternates the order of servers between rounds', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    expect(roundOrder(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c']);
  });

  it('summarises medians, the largest RSS, summed errors and client-boundness', () => {
    const s = summarizeRuns([
      run({ rps: 300, rssBytes: 5, wrkCpuShare: 0.95, socketErrors: 1 }),
      run({ rps: 100, rssBytes: 9, wrkCpuShare: 0.97, non2xx: 2 }),
      run({ rps: 200, rssBytes: 7, wrkCpuShare: 0.5 }),
    ]);
    expect(s.rps).toEqual({ median: 200, min: 100, max: 300, n: 3 });
    expect(s.rssMaxBytes).toBe(9);
    expect(s.errors).toBe(3);
    expect(s.wrkCpuShare.median).toBe(0.95);
    expect(s.clientBound).toBe(0.95 >= CLIENT_BOUND_SHARE);
    expect(summarizeRuns([run({ wrkCpuShare: 0.4 })]).clientBound).toBe(false);
  });

  it('counts errors, failures and (when required) skipped servers as problems', () => {
    const o = parseOptions(['--quick']);
    const base: BenchResult = { startedAt: '', finishedAt: '', options: o, cells: [], skipped: [], failed: [] };
    expect(problems(base, { requireAll: true })).toEqual([]);
    const withErrors: BenchResult = {
      ...base,
      cells: [{ server: 'x', label: 'x', jato: false, mode: 'plain', path: '/', command: '', runs: [run({ socketErrors: 4 })], failures: [], summary: summarizeRuns([run({ socketErrors: 4 })]) }],
    };
    expect(problems(withErrors, { requireAll: false })).toEqual(['x plain /: 4 socket errors / non-2xx responses']);
    const skipped: BenchResult = { ...base, skipped: [{ server: 'bun', label: 'Bun.serve', reason: 'missing', install: 'setup' }] };
    expect(problems(skipped, { requireAll: false })).toEqual([]);
    expect(problems(skipped, { requireAll: true })).toHaveLength(1);
    const failed: BenchResult = { ...base, failed: [{ server: 'y', label: 'y', reason: 'wrong answer' }] };
    expect(problems(failed, { requireAll: false })).toEqual(['y: wrong answer']);
  });
});

describe('options', () => {
  it('defaults to the seed benchmark: all servers, both variants, 3 × 10 s, 24 pipelined, 100 connections', () => {
    const o = parseOptions([]);
    expect(o.servers).toContain('jato');
    expect(o.servers).toContain('go-fasthttp');
    expect(o.modes).toEqual(['pipelined', 'plain']);
    expect([o.runs, o.durationSeconds, o.pipeline, o.connections, o.threads]).toEqual([3, 10, 24, 100, 1]);
  });
  it('--quick measures jato and node:http once for 1 s without warm-up, unless told otherwise', () => {
    const o = parseOptions(['--quick']);
    expect(o.servers).toEqual(['jato', 'node-http']);
    expect([o.runs, o.durationSeconds, o.warmupSeconds]).toEqual([1, 1, 0]);
    expect(parseOptions(['--quick', '--runs', '2', '--servers=node-http']).runs).toBe(2);
    expect(parseOptions(['--quick', '--servers=node-http']).servers).toEqual(['node-http']);
  });
  it('rejects unknown options, servers, modes and bad numbers with a clear message', () => {
    expect(() => parseOptions(['--fast'])).toThrow(/unknown option "--fast"/);
    expect(() => parseOptions(['--servers', 'tomcat'])).toThrow(/unknown server "tomcat"/);
    expect(() => parseOptions(['--modes', 'http2'])).toThrow(/unknown mode "http2"/);
    expect(() => parseOptions(['--runs', '0'])).toThrow(/--runs needs an integer ≥ 1/);
    expect(() => parseOptions(['--duration'])).toThrow(/--duration needs a value/);
    expect(parseOptions(['--no-pin']).serverCpu).toBeUndefined();
  });
});
