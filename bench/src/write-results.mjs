// @ts-check
/** Writes a run's results: JSON, markdown, and a chart per variant (SVG + PNG). */
import { mkdirSync, writeFileSync, readFileSync, existsSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { renderChart } from './chart-svg.mjs';
import { svgToPng } from './chart-png.mjs';
import { renderReport, modeTitle } from './report-markdown.mjs';
import { ROOT_PATH } from './paths.mjs';
import { REPO_DIR, BENCH_DIR } from './servers.mjs';
import { CLIENT_BOUND_SHARE } from './run-bench.mjs';
import { wrkArgs } from './wrk.mjs';
import { micros } from './format.mjs';

/** @typedef {import('./run-bench.mjs').BenchResult} BenchResult */

/**
 * Makes a command line portable for the report: repository paths relative, node as `node`.
 * @param {string} cmd
 */
export function portable(cmd) {
  return cmd.replaceAll(process.execPath, 'node').replaceAll(`${REPO_DIR}/`, '').replaceAll(REPO_DIR, '.');
}

/**
 * The chart of one variant: `/` of every measured server.
 * @param {BenchResult} r
 * @param {'pipelined' | 'plain'} mode
 * @param {string} cpuModel
 * @returns {import('./chart-svg.mjs').Chart}
 */
export function chartFor(r, mode, cpuModel) {
  const o = r.options;
  const cells = r.cells.filter((c) => c.mode === mode && c.path === ROOT_PATH && c.summary);
  const anyBound = cells.some((c) => c.summary?.clientBound);
  return {
    title: `Requests per second — ${modeTitle(mode, o.pipeline)}`,
    subtitle:
      `GET / → "Hello world!" · 1 process, 1 worker · wrk -t${o.threads} -c${o.connections}` +
      `${mode === 'pipelined' ? `, ${o.pipeline} requests per write` : ''} · median of ${o.runs} × ${o.durationSeconds} s · ${cpuModel} · ${r.startedAt.slice(0, 10)}`,
    bars: cells.map((c) => ({
      label: c.label,
      value: c.summary?.rps.median ?? NaN,
      ...(c.jato && c.server === 'jato' ? { highlight: true } : c.jato ? { soft: true } : {}),
      ...(c.summary?.clientBound ? { mark: ' *' } : {}),
      ...(c.summary && Number.isFinite(c.summary.usPerRequest.median) ? { note: `${micros(c.summary.usPerRequest.median)} µs/req` } : {}),
    })),
    footnote:
      'grey: server CPU time per request (lower is better)' +
      (anyBound ? ` · * wrk at ≥ ${Math.round(CLIENT_BOUND_SHARE * 100)} % CPU: bounded by the client, compare CPU per request` : ''),
  };
}

/**
 * Writes everything; returns the files written and notes (e.g. why a PNG is missing).
 * @param {BenchResult} r
 * @param {import('./machine.mjs').MachineInfo} machine
 * @param {string[]} argv the bench's own arguments, for the command list
 * @returns {Promise<{ files: string[], notes: string[] }>}
 */
export async function writeResults(r, machine, argv) {
  const o = r.options;
  mkdirSync(path.join(o.outDir, 'runs'), { recursive: true });
  /** @type {string[]} */
  const files = [];
  /** @type {string[]} */
  const notes = [];
  const put = (/** @type {string} */ file, /** @type {string | Buffer} */ data) => {
    writeFileSync(file, data);
    files.push(file);
  };
  /** @type {Record<string, string>} */
  const charts = {};
  /** @type {Record<string, string>} */
  const published = {};
  for (const mode of o.modes) {
    const chart = chartFor(r, mode, machine.cpuModel);
    if (chart.bars.length === 0) continue;
    const svg = renderChart(chart);
    const svgFile = path.join(o.outDir, `chart-${mode}.svg`);
    put(svgFile, svg);
    const pngFile = path.join(o.outDir, `chart-${mode}.png`);
    const png = await svgToPng(svg, svgFile, pngFile);
    if (png.ok) files.push(pngFile);
    else notes.push(`no PNG for ${mode}: ${png.reason}`);
    charts[mode] = `chart-${mode}.svg`;
    if (o.publish) {
      const base = path.join(BENCH_DIR, `RESULTS-${mode}`);
      copyFileSync(svgFile, `${base}.svg`);
      files.push(`${base}.svg`);
      if (png.ok) {
        copyFileSync(pngFile, `${base}.png`);
        files.push(`${base}.png`);
      }
      published[mode] = `RESULTS-${mode}.${png.ok ? 'png' : 'svg'}`;
    }
  }
  const commands = commandList(r, argv);
  const json = JSON.stringify({ ...r, options: { ...r.options, outDir: path.relative(REPO_DIR, r.options.outDir) }, machine, argv, commands }, null, 2);
  put(path.join(o.outDir, 'results.json'), json);
  put(path.join(o.outDir, 'runs', `${r.startedAt.replaceAll(':', '-')}.json`), json);
  put(path.join(o.outDir, 'results.md'), `# Benchmark results\n\n${renderReport(r, { machine, commands, charts })}`);
  if (o.publish) {
    const file = path.join(BENCH_DIR, 'RESULTS.md');
    put(file, renderPublished(r, machine, commands, published, existsSync(file) ? readFileSync(file, 'utf8') : ''));
  }
  return { files, notes };
}

/**
 * The commands a reader needs to reproduce the run.
 * @param {BenchResult} r
 * @param {string[]} argv
 */
export function commandList(r, argv) {
  const o = r.options;
  const lines = ['pnpm bench:setup   # once; Debian packages need root', `pnpm bench${argv.length ? ` ${argv.join(' ')}` : ''}`, '', '# what it runs, per server (PORT in the environment):'];
  const seen = new Set();
  for (const c of r.cells) {
    if (seen.has(c.server)) continue;
    seen.add(c.server);
    lines.push(`${o.serverCpu === undefined ? '' : `taskset -c ${o.serverCpu} `}${portable(c.command)}`);
  }
  lines.push('', '# and per variant:');
  for (const pipeline of o.modes.map((m) => (m === 'pipelined' ? o.pipeline : 1))) {
    const a = wrkArgs({ port: 8080, path: '/', pipeline, durationSeconds: o.durationSeconds, connections: o.connections, threads: o.threads, timeoutSeconds: o.timeoutSeconds });
    lines.push(`${o.wrkCpu === undefined ? '' : `taskset -c ${o.wrkCpu} `}${portable(a.join(' '))}`);
  }
  return lines;
}

const NOTES_START = '<!-- notes:start -->';
const NOTES_END = '<!-- notes:end -->';

/**
 * bench/RESULTS.md: the report plus a hand-written notes block that survives re-publishing.
 * @param {BenchResult} r
 * @param {import('./machine.mjs').MachineInfo} machine
 * @param {string[]} commands
 * @param {Record<string, string>} charts
 * @param {string} previous the current RESULTS.md, whose notes block is kept
 */
export function renderPublished(r, machine, commands, charts, previous) {
  const a = previous.indexOf(NOTES_START);
  const b = previous.indexOf(NOTES_END);
  const notes = a >= 0 && b > a ? previous.slice(a, b + NOTES_END.length) : `${NOTES_START}\n_No notes yet._\n${NOTES_END}`;
  return [
    '# jato: benchmark results',
    '',
    'The latest full run of `pnpm bench` on this machine kind, written by `pnpm bench --publish`',
    '(see [README.md](README.md) for the method). Only figures from the same run compare.',
    '',
    renderReport(r, { machine, commands, charts }),
    '## Notes',
    '',
    notes,
    '',
  ].join('\n');
}
