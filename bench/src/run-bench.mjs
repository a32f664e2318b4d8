// @ts-check
/**
 * The benchmark itself: start every available server (pinned), check its answers, warm each
 * server/variant up, then measure in alternating rounds (A B C …, then … C B A) so slow drifts of a
 * shared machine spread over every server alike.
 */
import { SERVERS } from './servers.mjs';
import { startServer, freePort } from './server-process.mjs';
import { checkAnswer } from './http-check.mjs';
import { expectationFor } from './paths.mjs';
import { runWrk, machineJiffies } from './wrk.mjs';
import { treeCpuSeconds, treeRssBytes } from './proc.mjs';
import { socketErrorCount } from './wrk-output.mjs';
import { summarize } from './stats.mjs';
import os from 'node:os';

/** wrk CPU share from which a figure counts as limited by the client, not the server. */
export const CLIENT_BOUND_SHARE = 0.9;

/**
 * One measured (or warm-up) run.
 * @typedef {{
 *   rps: number,
 *   requests: number,
 *   seconds: number,
 *   serverCpuSeconds: number,
 *   serverUsPerRequest: number,
 *   serverCpuShare: number,
 *   wrkCpuShare: number,
 *   otherCpuCores: number,
 *   rssBytes: number,
 *   socketErrors: number,
 *   socketErrorKinds: { connect: number, read: number, write: number, timeout: number },
 *   non2xx: number,
 * }} RunResult
 */

/**
 * A server and one variant (mode + path), with its runs and summary.
 * @typedef {{
 *   server: string,
 *   label: string,
 *   jato: boolean,
 *   mode: 'pipelined' | 'plain',
 *   path: string,
 *   command: string,
 *   runs: RunResult[],
 *   discarded?: RunResult[],
 *   failures: string[],
 *   summary?: {
 *     rps: import('./stats.mjs').Summary,
 *     usPerRequest: import('./stats.mjs').Summary,
 *     serverCpuShare: import('./stats.mjs').Summary,
 *     wrkCpuShare: import('./stats.mjs').Summary,
 *     otherCpuCores: import('./stats.mjs').Summary,
 *     rssMaxBytes: number,
 *     errors: number,
 *     clientBound: boolean,
 *   },
 * }} Cell
 */

/**
 * Everything one bench invocation produced.
 * @typedef {{
 *   startedAt: string,
 *   finishedAt: string,
 *   options: import('./options.mjs').BenchOptions,
 *   cells: Cell[],
 *   skipped: Array<{ server: string, label: string, reason: string, install: string }>,
 *   failed: Array<{ server: string, label: string, reason: string }>,
 * }} BenchResult
 */

/**
 * Orders cells for round `r` (0-based): forward on even rounds, backward on odd ones.
 * @template T
 * @param {T[]} cells
 * @param {number} round
 * @returns {T[]}
 */
export function roundOrder(cells, round) {
  return round % 2 === 0 ? [...cells] : [...cells].reverse();
}

/**
 * Summarises a cell's runs.
 * @param {RunResult[]} runs
 * @returns {NonNullable<Cell['summary']>}
 */
export function summarizeRuns(runs) {
  const wrkCpuShare = summarize(runs.map((r) => r.wrkCpuShare));
  return {
    rps: summarize(runs.map((r) => r.rps)),
    usPerRequest: summarize(runs.map((r) => r.serverUsPerRequest)),
    serverCpuShare: summarize(runs.map((r) => r.serverCpuShare)),
    wrkCpuShare,
    otherCpuCores: summarize(runs.map((r) => r.otherCpuCores)),
    rssMaxBytes: Math.max(0, ...runs.map((r) => r.rssBytes)),
    errors: runs.reduce((a, r) => a + r.socketErrors + r.non2xx, 0),
    clientBound: wrkCpuShare.median >= CLIENT_BOUND_SHARE,
  };
}

/**
 * Formats seconds as "1 min 05 s" / "42 s".
 * @param {number} s
 */
function duration(s) {
  const t = Math.max(0, Math.round(s));
  return t >= 60 ? `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, '0')} s` : `${t} s`;
}

/**
 * Runs the benchmark.
 * @param {import('./options.mjs').BenchOptions} o
 * @param {(line: string) => void} log progress lines
 * @param {ReadonlyArray<import('./servers.mjs').ServerDef>} [catalog] where server ids are looked up (tests pass their own)
 * @returns {Promise<BenchResult>}
 */
export async function runBench(o, log, catalog = SERVERS) {
  const startedAt = new Date().toISOString();
  /** @type {BenchResult['skipped']} */
  const skipped = [];
  /** @type {BenchResult['failed']} */
  const failed = [];
  /** @type {Array<{ def: import('./servers.mjs').ServerDef, running: import('./server-process.mjs').RunningServer, command: string }>} */
  const live = [];
  /** @type {Cell[]} */
  const cells = [];
  try {
    for (const id of o.servers) {
      const def = catalog.find((x) => x.id === id);
      if (!def) throw new Error(`unknown server "${id}"`);
      const res = def.resolve();
      if (!res.ok) {
        skipped.push({ server: def.id, label: def.label, reason: res.reason, install: res.install });
        log(`skip ${def.label}: ${res.reason} — install: ${res.install}`);
        continue;
      }
      const port = await freePort();
      log(`start ${def.label} on port ${port}${o.serverCpu === undefined ? '' : ` (CPU ${o.serverCpu})`}`);
      let running;
      try {
        running = await startServer(res.launch, { port, cpu: o.serverCpu });
      } catch (e) {
        failed.push({ server: def.id, label: def.label, reason: /** @type {Error} */ (e).message });
        log(`FAIL ${def.label}: ${/** @type {Error} */ (e).message}`);
        continue;
      }
      try {
        for (const p of def.paths) await checkAnswer(port, p, expectationFor(p), o.pipeline);
      } catch (e) {
        failed.push({ server: def.id, label: def.label, reason: `wrong answer: ${/** @type {Error} */ (e).message}` });
        log(`FAIL ${def.label}: wrong answer: ${/** @type {Error} */ (e).message}`);
        await running.stop();
        continue;
      }
      const command = res.launch.display ?? [res.launch.command, ...res.launch.args].join(' ');
      live.push({ def, running, command });
      for (const mode of o.modes) {
        for (const p of def.paths) {
          cells.push({ server: def.id, label: def.label, jato: def.jato, mode, path: p, command, runs: [], failures: [] });
        }
      }
    }

    /** @param {Cell} cell */
    const serverOf = (cell) => /** @type {(typeof live)[number]} */ (live.find((l) => l.def.id === cell.server));

    /**
     * @param {Cell} cell
     * @param {number} seconds
     * @returns {Promise<RunResult>}
     */
    const measure = async (cell, seconds) => {
      const { running } = serverOf(cell);
      if (running.exited()) throw new Error(`server exited: ${running.output().trim().slice(-600)}`);
      const cpu0 = treeCpuSeconds(running.pid);
      const m0 = machineJiffies();
      const w = await runWrk({
        port: running.port,
        path: cell.path,
        pipeline: cell.mode === 'pipelined' ? o.pipeline : 1,
        durationSeconds: seconds,
        connections: o.connections,
        threads: o.threads,
        timeoutSeconds: o.timeoutSeconds,
        cpu: o.wrkCpu,
      });
      const cpu1 = treeCpuSeconds(running.pid);
      const m1 = machineJiffies();
      if (running.exited()) throw new Error(`server exited during the run: ${running.output().trim().slice(-600)}`);
      const serverCpuSeconds = cpu1 - cpu0;
      const wall = w.wallSeconds;
      const machineBusy = ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * (os.cpus().length || 1) * wall;
      const r = w.report;
      return {
        rps: r.requestsPerSecond,
        requests: r.requests,
        seconds: r.durationSeconds,
        serverCpuSeconds,
        serverUsPerRequest: r.requests > 0 ? (serverCpuSeconds / r.requests) * 1e6 : NaN,
        serverCpuShare: serverCpuSeconds / wall,
        wrkCpuShare: w.wrkCpuSeconds / wall,
        otherCpuCores: Math.max(0, (machineBusy - serverCpuSeconds - w.wrkCpuSeconds) / wall),
        rssBytes: treeRssBytes(running.pid),
        socketErrors: socketErrorCount(r),
        socketErrorKinds: r.socketErrors,
        non2xx: r.non2xx3xx,
      };
    };

    // Time left = planned seconds still to run × (wall time so far ÷ planned seconds done so far).
    const planned = cells.length * (o.warmupSeconds + o.runs * o.durationSeconds);
    let plannedDone = 0;
    let done = 0;
    const t0 = Date.now();
    const eta = () => {
      const factor = plannedDone > 0 ? (Date.now() - t0) / 1000 / plannedDone : 1.05;
      return duration((planned - plannedDone) * factor);
    };

    if (o.warmupSeconds > 0) {
      let i = 0;
      for (const cell of cells) {
        i++;
        log(`warm-up ${i}/${cells.length}: ${cell.label} ${cell.mode} ${cell.path} (${o.warmupSeconds} s), ~${eta()} left`);
        try {
          await measure(cell, o.warmupSeconds);
        } catch (e) {
          cell.failures.push(`warm-up: ${/** @type {Error} */ (e).message}`);
        }
        plannedDone += o.warmupSeconds;
      }
    }
    for (let round = 0; round < o.runs; round++) {
      for (const cell of roundOrder(cells, round)) {
        if (cell.failures.length > 0 && cell.runs.length === 0 && round > 0) {
          done++;
          plannedDone += o.durationSeconds;
          continue;
        }
        log(`[${done + 1}/${cells.length * o.runs}] ${cell.label} ${cell.mode} ${cell.path} — run ${round + 1} of ${o.runs}, ~${eta()} left`);
        try {
          let r = await measure(cell, o.durationSeconds);
          // A run during which other processes used more CPU than allowed is set aside and taken
          // again (at most --retries times); the least disturbed attempt is kept. Decided on the
          // machine's load only, never on the figure itself.
          for (let retry = 0; o.maxOtherLoad !== undefined && r.otherCpuCores > o.maxOtherLoad && retry < o.retries; retry++) {
            log(`    disturbed: other processes used ${r.otherCpuCores.toFixed(2)} cores (> ${o.maxOtherLoad}); again`);
            const again = await measure(cell, o.durationSeconds);
            const [keep, drop] = again.otherCpuCores < r.otherCpuCores ? [again, r] : [r, again];
            (cell.discarded ??= []).push(drop);
            r = keep;
          }
          cell.runs.push(r);
          const kinds = Object.entries(r.socketErrorKinds).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
          const flag = r.socketErrors + r.non2xx > 0 ? `  ERRORS: ${r.socketErrors} socket (${kinds}), ${r.non2xx} non-2xx` : '';
          log(
            `    ${Math.round(r.rps).toLocaleString('en-US')} req/s, server ${r.serverUsPerRequest.toFixed(2)} µs/req (${Math.round(r.serverCpuShare * 100)} % CPU), wrk ${Math.round(r.wrkCpuShare * 100)} % CPU${flag}`,
          );
        } catch (e) {
          cell.failures.push(/** @type {Error} */ (e).message);
          log(`    FAIL: ${/** @type {Error} */ (e).message}`);
        }
        done++;
        plannedDone += o.durationSeconds;
      }
    }
    for (const cell of cells) if (cell.runs.length > 0) cell.summary = summarizeRuns(cell.runs);
  } finally {
    for (const l of live) await l.running.stop();
  }
  return { startedAt, finishedAt: new Date().toISOString(), options: o, cells, skipped, failed };
}

/**
 * Whether a result is a failure for the exit code: a server that would not start or answered
 * wrongly, a run that broke, errors in any run, or (with requireAll) a requested server skipped.
 * @param {BenchResult} r
 * @param {{ requireAll: boolean }} opts
 * @returns {string[]} reasons, empty when fine
 */
export function problems(r, opts) {
  /** @type {string[]} */
  const out = [];
  for (const f of r.failed) out.push(`${f.label}: ${f.reason}`);
  for (const c of r.cells) {
    for (const f of c.failures) out.push(`${c.label} ${c.mode} ${c.path}: ${f}`);
    if (c.summary && c.summary.errors > 0) out.push(`${c.label} ${c.mode} ${c.path}: ${c.summary.errors} socket errors / non-2xx responses`);
    if (c.runs.length === 0 && c.failures.length === 0) out.push(`${c.label} ${c.mode} ${c.path}: no run`);
  }
  if (opts.requireAll) for (const s of r.skipped) out.push(`${s.label} skipped: ${s.reason} (install: ${s.install})`);
  return out;
}
