// The bench machinery end to end over real sockets: wrk's response counting, the --quick smoke run
// through the CLI's own code path, and the refusal of servers that answer wrongly or never listen.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { runWrk } from '../src/wrk.mjs';
import { main } from '../src/cli.mjs';
import { runBench, problems } from '../src/run-bench.mjs';
import { parseOptions } from '../src/options.mjs';
import { REPO_DIR, SERVERS } from '../src/servers.mjs';
import type { ServerDef } from '../src/servers.mjs';

const hasWrk = !spawnSync('wrk', ['-v']).error;
if (!hasWrk) console.warn('bench smoke tests skipped: wrk is not installed (sudo apt-get install -y wrk, or bash scripts/ensure-tools.sh --native-tests)');

// apps/hello is part of the workspace: once it has sources, the smoke run must measure it.
const helloExists = existsSync(path.join(REPO_DIR, 'apps', 'hello', 'src', 'index.ts'));

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
function tmp(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jato-bench-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.skipIf(!hasWrk)('with wrk', () => {
  it('counts every pipelined response: wrk total = responses the server sent, less those in flight at the end', async () => {
    let served = 0;
    const server = http.createServer((req, res) => {
      served++;
      res.end('Hello world!');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const port = (server.address() as AddressInfo).port;
    const connections = 10;
    const depth = 24;
    const w = await runWrk({ port, path: '/', pipeline: depth, durationSeconds: 1, connections, threads: 1, timeoutSeconds: 5 });
    expect(w.report.requests).toBeGreaterThan(depth * connections);
    expect(w.report.requests).toBeLessThanOrEqual(served);
    // a connection can have at most one batch of `depth` requests unanswered when wrk stops
    expect(served - w.report.requests).toBeLessThanOrEqual(connections * depth);
    expect(w.wrkCpuSeconds).toBeGreaterThan(0);
    expect(w.wrkCpuSeconds).toBeLessThan(w.wallSeconds * 2);
  });

  it('--quick measures node:http (and jato) plain and pipelined, and writes JSON, markdown and charts', async () => {
    const out = tmp();
    const lines: string[] = [];
    const servers = helloExists ? [] : ['--servers', 'node-http'];
    const code = await main(['--quick', ...servers, '--out', out], (l) => lines.push(l));
    expect(code, lines.join('\n')).toBe(0);
    const result = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const measured = new Set(result.cells.map((c: { server: string }) => c.server));
    expect(measured.has('node-http')).toBe(true);
    if (helloExists) {
      expect(measured.has('jato')).toBe(true);
      const paths = result.cells.filter((c: { server: string }) => c.server === 'jato').map((c: { path: string }) => c.path);
      expect(new Set(paths)).toEqual(new Set(['/', '/json', '/params/42', '/async']));
    }
    for (const c of result.cells) {
      expect(c.runs).toHaveLength(1);
      expect(c.summary.rps.median).toBeGreaterThan(0);
      expect(c.summary.errors).toBe(0);
      expect(c.summary.usPerRequest.median).toBeGreaterThan(0);
      expect(c.summary.rssMaxBytes).toBeGreaterThan(1024 * 1024);
    }
    expect(result.cells.map((c: { mode: string }) => c.mode)).toEqual(expect.arrayContaining(['pipelined', 'plain']));
    const md = readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('| node:http | `/` |');
    for (const f of ['chart-pipelined.svg', 'chart-plain.svg', 'chart-pipelined.png']) expect(existsSync(path.join(out, f)), f).toBe(true);
    expect(lines.some((l) => /\[1\/\d+\] .* run 1 of 1, ~.* left/.test(l))).toBe(true);

    // the same results re-rendered without measuring
    const again = tmp();
    expect(await main(['--render', path.join(out, 'results.json'), '--out', again], () => {})).toBe(0);
    expect(readFileSync(path.join(again, 'results.md'), 'utf8')).toBe(md);
    expect(readFileSync(path.join(again, 'chart-plain.svg'), 'utf8')).toBe(readFileSync(path.join(out, 'chart-plain.svg'), 'utf8'));
  });

  it('refuses a server that answers wrongly, one that never listens, and reports a missing one', async () => {
    const dir = tmp();
    const wrong = path.join(dir, 'wrong.mjs');
    writeFileSync(wrong, "import http from 'node:http';\nhttp.createServer((q, s) => s.end('Goodbye')).listen(Number(process.env.PORT), '127.0.0.1');\n");
    const crash = path.join(dir, 'crash.mjs');
    writeFileSync(crash, "console.error('cannot start: no config'); process.exit(3);\n");
    const catalog: ServerDef[] = [
      { id: 'wrong', label: 'wrong', jato: false, paths: ['/'], resolve: () => ({ ok: true, launch: { command: process.execPath, args: [wrong] } }) },
      { id: 'crash', label: 'crash', jato: false, paths: ['/'], resolve: () => ({ ok: true, launch: { command: process.execPath, args: [crash] } }) },
      { id: 'missing', label: 'missing', jato: false, paths: ['/'], resolve: () => ({ ok: false, reason: 'not installed', install: 'apt-get install missing' }) },
      SERVERS.find((s) => s.id === 'node-http')!,
    ];
    // --max-other-load 0: any CPU used by other processes makes the run be retaken once
    const o = {
      ...parseOptions(['--quick', '--no-pin', '--modes', 'plain', '--max-other-load', '0', '--retries', '1']),
      servers: ['wrong', 'crash', 'missing', 'node-http'],
    };
    const lines: string[] = [];
    const r = await runBench(o, (l) => lines.push(l), catalog);
    expect(r.failed.map((f) => f.server)).toEqual(['wrong', 'crash']);
    expect(r.failed[0]!.reason).toMatch(/wrong answer: GET \/: body "Goodbye"/);
    expect(r.failed[1]!.reason).toMatch(/exited before listening: cannot start: no config/);
    expect(r.skipped).toEqual([{ server: 'missing', label: 'missing', reason: 'not installed', install: 'apt-get install missing' }]);
    expect(r.cells.map((c) => c.server)).toEqual(['node-http']);
    expect(r.cells[0]!.summary!.errors).toBe(0);
    const kept = r.cells[0]!.runs;
    const set = r.cells[0]!.discarded ?? [];
    expect(kept).toHaveLength(1);
    expect(set.length).toBeLessThanOrEqual(1);
    expect(set.length).toBe(lines.some((l) => l.includes('disturbed: other processes used')) ? 1 : 0);
    for (const d of set) expect(kept[0]!.otherCpuCores).toBeLessThanOrEqual(d.otherCpuCores);
    expect(problems(r, { requireAll: true })).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('skip missing: not installed — install: apt-get install missing'))).toBe(true);
  });
});

describe('CLI', () => {
  it('answers a bad option with exit code 2 and the reason', async () => {
    const lines: string[] = [];
    expect(await main(['--runs', 'many'], (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toMatch(/--runs needs an integer/);
  });
});
