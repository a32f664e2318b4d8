// @ts-check
/**
 * `pnpm bench --profile`: where a server's CPU time goes under the seed load, from `perf record`
 * (Debian linux-perf) on a separate instance — never on a measured run. Node-based servers are started
 * with --perf-basic-prof so JIT-compiled JS functions have names. Output: a flat self-time profile by
 * symbol and a split by where the code lives (kernel, Node/V8, JS, native addon, libc).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, freePort } from './server-process.mjs';
import { checkAnswer } from './http-check.mjs';
import { expectationFor, ROOT_PATH } from './paths.mjs';
import { runWrk } from './wrk.mjs';
import { REPO_DIR } from './servers.mjs';

/**
 * A line of `perf report --stdio --sort dso,sym`: share of samples, the object file, the symbol.
 * @typedef {{ percent: number, dso: string, symbol: string }} PerfLine
 */

/**
 * Parses `perf report --stdio --no-children --sort dso,sym --field-separator '\t'`: lines of
 * "  12.34%<TAB>[kernel.kallsyms]  <TAB>[k] tcp_sendmsg". Header lines (#) and blanks are skipped.
 * @param {string} text
 * @returns {PerfLine[]}
 */
export function parsePerfReport(text) {
  /** @type {PerfLine[]} */
  const out = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [pct, dso, sym] = line.split('\t');
    const p = /^\s*([\d.]+)%\s*$/.exec(pct ?? '');
    if (!p || dso === undefined || sym === undefined) continue;
    const symbol = sym.trim().replace(/^\[[^\]]*\]\s*/, '').replaceAll(`file://${REPO_DIR}/`, '').replaceAll(`${REPO_DIR}/`, '');
    out.push({ percent: Number(p[1]), dso: dso.trim(), symbol });
  }
  return out;
}

/**
 * Names the part of the stack an object file belongs to.
 * @param {string} dso
 * @param {string} symbol
 */
export function area(dso, symbol) {
  if (dso.includes('kernel')) return 'kernel (syscalls, TCP/IP)';
  if (dso.startsWith('[JIT]') || (dso.startsWith('perf-') && dso.endsWith('.map'))) {
    return /^(JS|LazyCompile|Function):/.test(symbol) ? 'JS (JIT-compiled)' : 'V8 generated code (stubs, regexp)';
  }
  if (dso.endsWith('.node')) return 'native addon (.node)';
  if (dso === 'node' || dso.endsWith('/node')) return 'Node / V8 runtime';
  if (/^(libc|libpthread|ld-linux|libstdc\+\+|libm)[.-]/.test(dso)) return 'libc / libstdc++';
  return dso;
}

/**
 * Sums the shares by area, largest first.
 * @param {PerfLine[]} lines
 * @returns {Array<[string, number]>}
 */
export function byArea(lines) {
  /** @type {Map<string, number>} */
  const sums = new Map();
  for (const l of lines) {
    const a = area(l.dso, l.symbol);
    sums.set(a, (sums.get(a) ?? 0) + l.percent);
  }
  return [...sums.entries()].sort((x, y) => y[1] - x[1]);
}

/**
 * Profiles the selected servers on `/`, one perf recording per variant.
 * @param {import('./options.mjs').BenchOptions} o
 * @param {ReadonlyArray<import('./servers.mjs').ServerDef>} catalog
 * @param {(line: string) => void} log
 * @returns {Promise<{ files: string[], problems: string[] }>}
 */
export async function runProfiles(o, catalog, log) {
  /** @type {string[]} */
  const files = [];
  /** @type {string[]} */
  const problems = [];
  if (spawnSync('perf', ['--version']).error) {
    return { files, problems: ['perf is not installed: sudo apt-get install -y linux-perf'] };
  }
  mkdirSync(o.outDir, { recursive: true });
  for (const id of o.servers) {
    const def = catalog.find((d) => d.id === id);
    if (!def) continue;
    const res = def.resolve();
    if (!res.ok) {
      problems.push(`${def.label} skipped: ${res.reason}`);
      continue;
    }
    const launch = { ...res.launch };
    if (launch.command === process.execPath) launch.args = ['--perf-basic-prof', ...launch.args];
    for (const mode of o.modes) {
      const port = await freePort();
      log(`profile ${def.label} ${mode}: start on port ${port}`);
      const server = await startServer(launch, { port, cpu: o.serverCpu });
      try {
        await checkAnswer(port, ROOT_PATH, expectationFor(ROOT_PATH), o.pipeline);
        const wrk = (/** @type {number} */ seconds) =>
          runWrk({
            port, path: ROOT_PATH, pipeline: mode === 'pipelined' ? o.pipeline : 1, durationSeconds: seconds,
            connections: o.connections, threads: o.threads, timeoutSeconds: o.timeoutSeconds, cpu: o.wrkCpu,
          });
        await wrk(Math.max(1, o.warmupSeconds));
        const data = path.join(o.outDir, `profile-${def.id}-${mode}.perf.data`);
        const recordFor = Math.max(1, o.durationSeconds - 1);
        const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-p', String(server.pid), '-o', data, '--', 'sleep', String(recordFor)], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let perfErr = '';
        perf.stderr.on('data', (b) => (perfErr += b));
        const perfDone = new Promise((resolve) => perf.on('close', resolve));
        const load = await wrk(o.durationSeconds);
        const code = await perfDone;
        if (code !== 0 || !existsSync(data)) throw new Error(`perf record failed: ${perfErr.trim().slice(-400)}`);
        const rep = spawnSync('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', 'dso,sym', '--field-separator', '\t'], {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        const lines = parsePerfReport(rep.stdout ?? '');
        const text = [
          `# ${def.label}, ${mode === 'pipelined' ? `pipelined ×${o.pipeline}` : 'plain'}, GET /: perf record -e cpu-clock -F 999 -p PID (${recordFor} s)`,
          `# load: ${Math.round(load.report.requestsPerSecond).toLocaleString('en-US')} req/s while recording (perf costs some of it)`,
          '',
          'Self time by area:',
          ...byArea(lines).map(([a, p]) => `  ${p.toFixed(1).padStart(5)} %  ${a}`),
          '',
          'Self time by symbol (top 40):',
          ...lines.slice(0, 40).map((l) => `  ${l.percent.toFixed(2).padStart(6)} %  ${l.symbol}   [${l.dso.replace(/^\[JIT\] tid \d+$/, 'JIT')}]`),
          '',
        ].join('\n');
        const file = path.join(o.outDir, `profile-${def.id}-${mode}.txt`);
        writeFileSync(file, text);
        files.push(file);
        rmSync(data, { force: true });
        rmSync(`${data}.old`, { force: true });
        log(text.split('\n').slice(0, 12).join('\n'));
      } catch (e) {
        problems.push(`${def.label} ${mode}: ${/** @type {Error} */ (e).message}`);
      } finally {
        await server.stop();
        rmSync(path.join(os.tmpdir(), `perf-${server.pid}.map`), { force: true }); // written by --perf-basic-prof (to the system temp dir)
      }
    }
  }
  return { files, problems };
}
