// @ts-check
/**
 * Running wrk once: pinned to its CPU, its own CPU time taken from bash's `times` (children's user
 * and system time once wrk has exited), its report parsed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseWrkOutput } from './wrk-output.mjs';
import { BENCH_DIR } from './servers.mjs';

/** The Lua script that pipelines requests. */
export const PIPELINE_LUA = path.join(BENCH_DIR, 'lua', 'pipeline.lua');

/**
 * One wrk run's settings.
 * @typedef {{
 *   port: number,
 *   path: string,
 *   pipeline: number,
 *   durationSeconds: number,
 *   connections: number,
 *   threads: number,
 *   timeoutSeconds: number,
 *   cpu?: number | undefined,
 * }} WrkSettings
 */

/**
 * The wrk command line (without the CPU pinning) for a run. pipeline 1 means plain: no script, one
 * request per round trip.
 * @param {WrkSettings} s
 * @returns {string[]}
 */
export function wrkArgs(s) {
  const url = `http://127.0.0.1:${s.port}${s.path}`;
  const base = ['wrk', `-t${s.threads}`, `-c${s.connections}`, `-d${s.durationSeconds}s`, `--timeout`, `${s.timeoutSeconds}s`];
  if (s.pipeline <= 1) return [...base, url];
  return [...base, '-s', PIPELINE_LUA, url, '--', String(s.pipeline), s.path];
}

/**
 * Parses the two lines of bash's `times`: the shell's own user/system time, then its children's.
 * @param {string} text e.g. "0m0.001s 0m0.002s\n0m1.250s 0m3.500s"
 * @returns {number} children's user + system seconds
 */
export function parseBashTimes(text) {
  const lines = text.trim().split('\n');
  const m = /^(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s$/.exec((lines[1] ?? '').trim());
  if (!m) throw new Error(`unrecognised output of bash times: ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

const MARK = '__jato_bench_times__';

/**
 * Busy and total jiffies of the whole machine (first line of /proc/stat), to tell how much CPU other
 * processes used during a run.
 * @returns {{ busy: number, total: number }}
 */
export function machineJiffies() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Runs wrk once.
 * @param {WrkSettings} s
 * @returns {Promise<{ report: import('./wrk-output.mjs').WrkReport, wrkCpuSeconds: number, wallSeconds: number, command: string, output: string }>}
 */
export function runWrk(s) {
  const args = wrkArgs(s);
  const pinned = s.cpu === undefined ? args : ['taskset', '-c', String(s.cpu), ...args];
  const quoted = pinned.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `${quoted}; st=$?; echo ${MARK}; times; exit $st`;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const at = out.lastIndexOf(MARK);
      const report = at >= 0 ? out.slice(0, at) : out;
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code}: ${(err + report).trim().slice(-600)}`));
        return;
      }
      try {
        resolve({
          report: parseWrkOutput(report),
          wrkCpuSeconds: parseBashTimes(out.slice(at + MARK.length)),
          wallSeconds,
          command: args.join(' '),
          output: report,
        });
      } catch (e) {
        reject(e);
      }
    });
  });
}
