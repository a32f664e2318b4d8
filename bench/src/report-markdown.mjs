// @ts-check
/** The markdown report: tables per variant, skipped and failed servers, and jato's goals checked. */
import { thousands, percent, micros, mib } from './format.mjs';
import { CLIENT_BOUND_SHARE } from './run-bench.mjs';

/** @typedef {import('./run-bench.mjs').BenchResult} BenchResult */
/** @typedef {import('./run-bench.mjs').Cell} Cell */

/**
 * Title of a variant.
 * @param {'pipelined' | 'plain'} mode
 * @param {number} depth
 */
export function modeTitle(mode, depth) {
  return mode === 'pipelined' ? `pipelined ×${depth}` : 'plain (no pipelining)';
}

/**
 * The markdown table of one variant's cells, fastest first.
 * @param {Cell[]} cells
 * @returns {string}
 */
export function cellTable(cells) {
  const rows = [...cells].sort((a, b) => (b.summary?.rps.median ?? -1) - (a.summary?.rps.median ?? -1));
  const lines = [
    '| server | path | req/s (median) | min – max | server µs/req | server CPU | wrk CPU | other load (cores) | RSS MiB | errors |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of rows) {
    const name = c.jato ? `**${c.label}**` : c.label;
    const s = c.summary;
    if (!s) {
      lines.push(`| ${name} | \`${c.path}\` | failed: ${c.failures.join('; ').replaceAll('|', '\\|').slice(0, 200)} | | | | | | | |`);
      continue;
    }
    const wrk = `${percent(s.wrkCpuShare.median)}${s.clientBound ? ' ⚑' : ''}`;
    const errors = s.errors > 0 ? `**${s.errors} ⚠**` : '0';
    lines.push(
      `| ${name} | \`${c.path}\` | ${thousands(s.rps.median)} | ${thousands(s.rps.min)} – ${thousands(s.rps.max)} | ${micros(s.usPerRequest.median)} | ${percent(s.serverCpuShare.median)} | ${wrk} | ${s.otherCpuCores.median.toFixed(2)} | ${mib(s.rssMaxBytes)} | ${errors} |`,
    );
  }
  return lines.join('\n');
}

/**
 * One goal line: what, target, measured, met.
 * @typedef {{ goal: string, measured: string, met: boolean | undefined }} Goal
 */

/**
 * Checks jato's goals from issue 6 against the cells of the same run. Goals whose inputs are missing
 * (a peer skipped, jato not measured) are listed as "not measured".
 * @param {BenchResult} r
 * @returns {Goal[]}
 */
export function goals(r) {
  const find = (/** @type {string} */ server, /** @type {string} */ mode, path = '/') =>
    r.cells.find((c) => c.server === server && c.mode === mode && c.path === path)?.summary;
  /** @type {Goal[]} */
  const out = [];
  const depth = r.options.pipeline;
  /**
   * A throughput goal: a's rps ≥ min × b's rps. The CPU-per-request ratio (b's µs ÷ a's µs) is shown
   * beside it, since on a busy or client-bound machine it is the figure that still discriminates.
   * @param {string} goal
   * @param {NonNullable<Cell['summary']> | undefined} a
   * @param {NonNullable<Cell['summary']> | undefined} b
   * @param {number} min
   */
  const ratio = (goal, a, b, min) => {
    const ar = a?.rps.median;
    const br = b?.rps.median;
    if (ar === undefined || br === undefined || !(br > 0)) {
      out.push({ goal, measured: 'not measured', met: undefined });
      return;
    }
    const au = a?.usPerRequest.median ?? NaN;
    const bu = b?.usPerRequest.median ?? NaN;
    const cpu = au > 0 && bu > 0 ? `; by server CPU per request ${(bu / au).toFixed(2)}× (${micros(au)} vs ${micros(bu)} µs)` : '';
    out.push({ goal, measured: `${(ar / br).toFixed(2)}× (${thousands(ar)} / ${thousands(br)})${cpu}`, met: ar / br >= min });
  };
  const atMost = (/** @type {string} */ goal, /** @type {number | undefined} */ v, /** @type {number} */ max, /** @type {(x: number) => string} */ fmt) => {
    if (v === undefined || !Number.isFinite(v)) out.push({ goal, measured: 'not measured', met: undefined });
    else out.push({ goal, measured: fmt(v), met: v <= max });
  };
  const jp = find('jato', 'pipelined');
  const jq = find('jato', 'plain');
  ratio(`pipelined ×${depth}: jato ≥ 1.2× Go fasthttp`, jp, find('go-fasthttp', 'pipelined'), 1.2);
  atMost(`pipelined ×${depth}: jato ≤ 0.6 µs server CPU per request`, jp?.usPerRequest.median, 0.6, (v) => `${micros(v)} µs`);
  ratio('plain: jato ≥ 2.4× node:http', jq, find('node-http', 'plain'), 2.4);
  atMost('plain: jato ≤ 5.5 µs server CPU per request', jq?.usPerRequest.median, 5.5, (v) => `${micros(v)} µs`);
  for (const mode of /** @type {const} */ (['pipelined', 'plain'])) {
    for (const p of ['/json', '/params/42', '/async']) {
      ratio(`${mode}: jato \`${p}\` ≥ 0.7× of \`/\``, find('jato', mode, p), find('jato', mode), 0.7);
    }
  }
  // issue 15: the same Hono app on jato serve({ fetch }) and its peers, by server CPU per request
  const cpuRatio = (/** @type {string} */ goal, /** @type {string} */ peer, /** @type {number} */ min) => {
    const a = find('jato-fetch-hono', 'pipelined')?.usPerRequest.median;
    const b = find(peer, 'pipelined')?.usPerRequest.median;
    if (a === undefined || b === undefined || !(a > 0)) out.push({ goal, measured: 'not measured', met: undefined });
    else out.push({ goal, measured: `${(b / a).toFixed(2)}× (${micros(a)} vs ${micros(b)} µs)`, met: b / a >= min });
  };
  cpuRatio(`pipelined ×${depth}: Hono on jato serve({ fetch }) ≥ 5× @hono/node-server by server CPU per request`, 'hono-node-app', 5);
  cpuRatio(`pipelined ×${depth}: Hono on jato serve({ fetch }) ahead of Bun.serve by server CPU per request`, 'bun-hono', 1);
  const jatoCells = r.cells.filter((c) => c.server === 'jato' && c.summary);
  if (jatoCells.length === 0) {
    out.push({ goal: 'jato: zero errors', measured: 'not measured', met: undefined });
    out.push({ goal: 'jato: RSS ≤ 64 MiB', measured: 'not measured', met: undefined });
  } else {
    const errors = jatoCells.reduce((a, c) => a + (c.summary?.errors ?? 0), 0);
    const rss = Math.max(...jatoCells.map((c) => c.summary?.rssMaxBytes ?? 0));
    out.push({ goal: 'jato: zero errors', measured: String(errors), met: errors === 0 });
    out.push({ goal: 'jato: RSS ≤ 64 MiB', measured: `${mib(rss)} MiB`, met: rss <= 64 * 1024 * 1024 });
  }
  return out;
}

/**
 * The whole markdown report of a run.
 * @param {BenchResult} r
 * @param {{ machine: import('./machine.mjs').MachineInfo, commands: string[], charts: Record<string, string> }} extra
 *   charts: variant → relative path of its chart image
 * @returns {string}
 */
export function renderReport(r, extra) {
  const o = r.options;
  const m = extra.machine;
  const out = [];
  out.push(`Run ${r.startedAt} → ${r.finishedAt}${o.quick ? ' (--quick smoke run: not a measurement)' : ''}.`, '');
  out.push(
    `Machine: ${m.nproc} CPUs, ${m.cpuModel}, ${m.kernel}; load average at the end ${m.loadAverage.map((x) => x.toFixed(2)).join(' / ')}.`,
    `Versions: ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(' · ')}.`,
    '',
    `Method: one server process with one worker, pinned to ${o.serverCpu === undefined ? 'no CPU (unpinned)' : `CPU ${o.serverCpu}`}; ` +
      `\`wrk -t${o.threads} -c${o.connections}\` pinned to ${o.wrkCpu === undefined ? 'no CPU' : `CPU ${o.wrkCpu}`}; ` +
      `${o.warmupSeconds > 0 ? `a ${o.warmupSeconds} s warm-up per server and variant, then ` : ''}${o.runs} × ${o.durationSeconds} s runs per server and variant in alternating rounds ` +
      `(forward, then backward). Every server was checked for the right answer (plain and pipelined ×${o.pipeline}) before it was measured.`,
    '',
  );
  if (o.maxOtherLoad !== undefined) {
    const retaken = r.cells.reduce((a, c) => a + (c.discarded?.length ?? 0), 0);
    out.push(
      `Busy machine: a run during which other processes used more than ${o.maxOtherLoad} cores was taken again (at most ${o.retries} times) ` +
        `and the least disturbed attempt kept; ${retaken} attempt${retaken === 1 ? ' was' : 's were'} set aside this way (decided on the machine's load, never on the figure).`,
      '',
    );
  }
  out.push(
    'Columns: req/s is wrk\'s figure (median, min – max over the runs); server µs/req = server CPU time (user + system of all its processes, from /proc) ÷ requests; ' +
      'server CPU and wrk CPU are shares of one core over the run; ' +
      `⚑ marks wrk at ≥ ${Math.round(CLIENT_BOUND_SHARE * 100)} % CPU: that req/s is bounded by the client, compare µs/req instead; ` +
      '"other load" is the CPU other processes on the machine used during the run (cores); RSS is the server\'s at the end of a run (max over runs); errors are wrk socket errors + non-2xx responses (must be 0). Differences under ~15 % are ties.',
    '',
  );
  for (const mode of o.modes) {
    const cells = r.cells.filter((c) => c.mode === mode);
    if (cells.length === 0) continue;
    out.push(`### ${modeTitle(mode, o.pipeline)}`, '');
    const chart = extra.charts[mode];
    if (chart) out.push(`![${modeTitle(mode, o.pipeline)}](${chart})`, '');
    out.push(cellTable(cells), '');
  }
  if (r.skipped.length > 0) {
    out.push('### Skipped (runtime missing)', '', '| server | why | install |', '|---|---|---|');
    for (const s of r.skipped) out.push(`| ${s.label} | ${s.reason} | \`${s.install}\` |`);
    out.push('');
  }
  if (r.failed.length > 0) {
    out.push('### Failed (not measured)', '', '| server | why |', '|---|---|');
    for (const f of r.failed) out.push(`| ${f.label} | ${f.reason.replaceAll('|', '\\|').replaceAll('\n', ' ')} |`);
    out.push('');
  }
  const g = goals(r);
  if (g.some((x) => x.met !== undefined)) {
    out.push('### jato\'s goals (issue 6), in this run', '', '| goal | measured | met |', '|---|---|---|');
    for (const x of g) out.push(`| ${x.goal} | ${x.measured} | ${x.met === undefined ? '–' : x.met ? 'yes' : '**no**'} |`);
    out.push('');
  }
  out.push('Commands:', '', '```', ...extra.commands, '```', '');
  return out.join('\n');
}
