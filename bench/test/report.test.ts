import { describe, expect, it } from 'vitest';
import { goals, cellTable, renderReport } from '../src/report-markdown.mjs';
import { renderPublished, chartFor, portable } from '../src/write-results.mjs';
import { summarizeRuns } from '../src/run-bench.mjs';
import type { BenchResult, Cell, RunResult } from '../src/run-bench.mjs';
import { parseOptions } from '../src/options.mjs';
import { REPO_DIR } from '../src/servers.mjs';

function run(rps: number, us: number, over: Partial<RunResult> = {}): RunResult {
  return {
    rps, requests: rps * 10, seconds: 10, serverCpuSeconds: (rps * 10 * us) / 1e6, serverUsPerRequest: us, serverCpuShare: 0.9,
    wrkCpuShare: 0.5, otherCpuCores: 0.1, rssBytes: 40 * 1024 * 1024, socketErrors: 0, socketErrorKinds: { connect: 0, read: 0, write: 0, timeout: 0 }, non2xx: 0, ...over,
  };
}
function cell(server: string, mode: 'pipelined' | 'plain', path: string, runs: RunResult[]): Cell {
  return { server, label: server === 'node-http' ? 'node:http' : server, jato: server === 'jato', mode, path, command: 'x', runs, failures: [], summary: summarizeRuns(runs) };
}

const result: BenchResult = {
  startedAt: '2026-11-26T16:00:00.000Z',
  finishedAt: '2026-11-26T16:15:00.000Z',
  options: parseOptions([]),
  cells: [
    cell('jato', 'pipelined', '/', [run(1_300_000, 0.5, { wrkCpuShare: 0.97 })]),
    cell('jato', 'pipelined', '/json', [run(1_000_000, 0.7)]),
    cell('jato', 'pipelined', '/params/42', [run(800_000, 0.8)]),
    cell('jato', 'pipelined', '/async', [run(1_100_000, 0.6)]),
    cell('jato', 'plain', '/', [run(140_000, 5)]),
    cell('go-fasthttp', 'pipelined', '/', [run(1_000_000, 0.9)]),
    cell('node-http', 'plain', '/', [run(50_000, 18)]),
    cell('node-http', 'pipelined', '/', [run(90_000, 10, { socketErrors: 2 })]),
  ],
  skipped: [{ server: 'bun', label: 'Bun.serve', reason: 'bun is not installed', install: 'pnpm bench:setup' }],
  failed: [],
};

describe('goals of issue 6', () => {
  const g = goals(result);
  const byGoal = (prefix: string) => g.find((x) => x.goal.startsWith(prefix));

  it('compares jato with the peers of the same run', () => {
    expect(byGoal('pipelined ×24: jato ≥ 1.2× Go fasthttp')).toEqual({
      goal: 'pipelined ×24: jato ≥ 1.2× Go fasthttp',
      measured: '1.30× (1,300,000 / 1,000,000); by server CPU per request 1.80× (0.50 vs 0.90 µs)',
      met: true,
    });
    expect(byGoal('plain: jato ≥ 2.4× node:http')?.met).toBe(true);
    expect(byGoal('pipelined ×24: jato ≤ 0.6 µs')?.met).toBe(true);
    expect(byGoal('plain: jato ≤ 5.5 µs')).toMatchObject({ measured: '5.00 µs', met: true });
  });

  it('checks every route against / and names a shortfall', () => {
    expect(byGoal('pipelined: jato `/json`')).toMatchObject({ measured: expect.stringMatching(/^0\.77×/), met: true });
    expect(byGoal('pipelined: jato `/params/42`')).toMatchObject({ measured: expect.stringMatching(/^0\.62×/), met: false });
    expect(byGoal('plain: jato `/json`')).toMatchObject({ measured: 'not measured', met: undefined });
  });

  it('checks errors and RSS over all of jato\'s cells', () => {
    expect(byGoal('jato: zero errors')).toMatchObject({ measured: '0', met: true });
    expect(byGoal('jato: RSS ≤ 64 MiB')).toMatchObject({ measured: '40.0 MiB', met: true });
  });
});

describe('markdown', () => {
  it('lists the fastest first, jato in bold, client-bound and errors flagged', () => {
    const t = cellTable(result.cells.filter((c) => c.mode === 'pipelined'));
    const rows = t.split('\n').slice(2);
    expect(rows[0]).toMatch(/^\| \*\*jato\*\* \| `\/` \| 1,300,000 \|/);
    expect(rows[0]).toContain('97 % ⚑');
    expect(rows.find((r) => r.startsWith('| node:http'))).toContain('**2 ⚠**');
  });

  it('reports skipped servers with their install command, and the goals', () => {
    const md = renderReport(result, { machine: { nproc: 2, cpuModel: 'AMD EPYC', kernel: 'Linux 6', loadAverage: [1, 1, 1], versions: { node: 'v20' } }, commands: ['pnpm bench'], charts: { pipelined: 'c.svg' } });
    expect(md).toContain('| Bun.serve | bun is not installed | `pnpm bench:setup` |');
    expect(md).toContain('![pipelined ×24](c.svg)');
    expect(md).toContain('| pipelined: jato `/params/42` ≥ 0.7× of `/` | 0.62× (800,000 / 1,300,000); by server CPU per request 0.63× (0.80 vs 0.50 µs) | **no** |');
  });

  it('keeps the hand-written notes of RESULTS.md when it is published again', () => {
    const machine = { nproc: 2, cpuModel: 'AMD EPYC', kernel: 'Linux 6', loadAverage: [1, 1, 1], versions: {} };
    const first = renderPublished(result, machine, [], {}, '');
    expect(first).toContain('_No notes yet._');
    const edited = first.replace('_No notes yet._', 'The machine was busy.');
    const second = renderPublished(result, machine, [], {}, edited);
    expect(second).toContain('The machine was busy.');
    expect(second).not.toContain('_No notes yet._');
  });

  it('charts / of every server, jato highlighted, CPU per request noted', () => {
    const c = chartFor(result, 'pipelined', 'AMD EPYC');
    expect(c.bars.map((b) => b.label)).toEqual(['jato', 'go-fasthttp', 'node:http']);
    expect(c.bars[0]).toMatchObject({ highlight: true, mark: ' *', note: '0.50 µs/req' });
    expect(c.footnote).toMatch(/client/);
  });

  it('writes commands without machine paths', () => {
    expect(portable(`${process.execPath} ${REPO_DIR}/bench/servers/node-http.mjs`)).toBe('node bench/servers/node-http.mjs');
  });
});
