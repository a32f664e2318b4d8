// @ts-check
/** Command-line options of `pnpm bench`. */
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, SERVERS } from './servers.mjs';

/**
 * @typedef {{
 *   quick: boolean,
 *   servers: string[],
 *   modes: Array<'pipelined' | 'plain'>,
 *   runs: number,
 *   durationSeconds: number,
 *   warmupSeconds: number,
 *   connections: number,
 *   threads: number,
 *   pipeline: number,
 *   timeoutSeconds: number,
 *   serverCpu: number | undefined,
 *   wrkCpu: number | undefined,
 *   outDir: string,
 *   publish: boolean,
 *   render: string | undefined,
 *   profile: boolean,
 *   maxOtherLoad: number | undefined,
 *   retries: number,
 *   help: boolean,
 * }} BenchOptions
 */

/** Servers of a full run, in the order the table lists them. */
export const FULL_SERVERS = SERVERS.map((s) => s.id);
/** Servers of the --quick smoke run. */
export const QUICK_SERVERS = ['jato', 'node-http'];

/** The text of `pnpm bench --help`. */
export const USAGE = `Usage: pnpm bench [options]

  --quick              smoke run: jato and node:http, 1 s runs, 1 run each, no warm-up
  --servers a,b,…      servers to measure (default: all): ${FULL_SERVERS.join(', ')}
  --modes m,…          pipelined, plain (default: both)
  --runs N             measured runs per server and variant (default 3)
  --duration S         seconds per run (default 10)
  --warmup S           seconds of warm-up per server and variant (default 3; 0 = none)
  --connections N      wrk connections (default 100)
  --threads N          wrk threads (default 1)
  --pipeline N         requests per write in the pipelined variant (default 24)
  --timeout S          wrk request timeout in seconds (default 5)
  --server-cpu N       CPU the servers are pinned to (default 0)
  --wrk-cpu N          CPU wrk is pinned to (default 1)
  --no-pin             do not pin anything (the default on a 1-CPU machine)
  --max-other-load C   retake a run during which other processes used more than C cores (busy machine)
  --retries N          at most N retakes per run, keeping the least disturbed (default 2)
  --out DIR            where results go (default bench/results)
  --publish            also write bench/RESULTS.md and the committed charts bench/RESULTS-*.svg/png
  --profile            measure nothing: perf profiles of the servers (default: jato) on /, per variant
  --render FILE        measure nothing: re-render the report and charts of a results.json (with --out/--publish)
  --help               this text
`;

/**
 * Parses argv (without node and the script).
 * @param {string[]} argv
 * @returns {BenchOptions}
 */
export function parseOptions(argv) {
  const canPin = os.availableParallelism() >= 2;
  /** @type {BenchOptions} */
  const o = {
    quick: false,
    servers: [...FULL_SERVERS],
    modes: ['pipelined', 'plain'],
    runs: 3,
    durationSeconds: 10,
    warmupSeconds: 3,
    connections: 100,
    threads: 1,
    pipeline: 24,
    timeoutSeconds: 5,
    serverCpu: canPin ? 0 : undefined,
    wrkCpu: canPin ? 1 : undefined,
    outDir: path.join(BENCH_DIR, 'results'),
    publish: false,
    render: undefined,
    profile: false,
    maxOtherLoad: undefined,
    retries: 2,
    help: false,
  };
  /** @type {Set<string>} */
  const given = new Set();
  const args = [...argv];
  const value = (/** @type {string} */ flag) => {
    const v = args.shift();
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const int = (/** @type {string} */ flag, /** @type {number} */ min) => {
    const v = value(flag);
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer ≥ ${min}, got "${v}"`);
    return n;
  };
  while (args.length > 0) {
    const raw = /** @type {string} */ (args.shift());
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    if (flag !== raw) args.unshift(raw.slice(eq + 1));
    given.add(flag);
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--servers': {
        const list = value(flag).split(',').map((s) => s.trim()).filter(Boolean);
        for (const id of list) if (!FULL_SERVERS.includes(id)) throw new Error(`unknown server "${id}"; known: ${FULL_SERVERS.join(', ')}`);
        if (list.length === 0) throw new Error('--servers needs at least one server');
        o.servers = list;
        break;
      }
      case '--modes': {
        const list = value(flag).split(',').map((s) => s.trim()).filter(Boolean);
        for (const m of list) if (m !== 'pipelined' && m !== 'plain') throw new Error(`unknown mode "${m}"; known: pipelined, plain`);
        if (list.length === 0) throw new Error('--modes needs at least one mode');
        o.modes = /** @type {Array<'pipelined' | 'plain'>} */ (list);
        break;
      }
      case '--runs': o.runs = int(flag, 1); break;
      case '--duration': o.durationSeconds = int(flag, 1); break;
      case '--warmup': o.warmupSeconds = int(flag, 0); break;
      case '--connections': o.connections = int(flag, 1); break;
      case '--threads': o.threads = int(flag, 1); break;
      case '--pipeline': o.pipeline = int(flag, 2); break;
      case '--timeout': o.timeoutSeconds = int(flag, 1); break;
      case '--server-cpu': o.serverCpu = int(flag, 0); break;
      case '--wrk-cpu': o.wrkCpu = int(flag, 0); break;
      case '--no-pin': o.serverCpu = undefined; o.wrkCpu = undefined; break;
      case '--out': o.outDir = path.resolve(value(flag)); break;
      case '--publish': o.publish = true; break;
      case '--render': o.render = path.resolve(value(flag)); break;
      case '--profile': o.profile = true; break;
      case '--max-other-load': {
        const v = value(flag);
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new Error(`--max-other-load needs a number of cores ≥ 0, got "${v}"`);
        o.maxOtherLoad = n;
        break;
      }
      case '--retries': o.retries = int(flag, 0); break;
      case '--help': case '-h': o.help = true; break;
      default: throw new Error(`unknown option "${raw}"\n\n${USAGE}`);
    }
  }
  if (o.threads > o.connections) throw new Error('--threads must not exceed --connections');
  if (o.profile && !given.has('--servers')) o.servers = ['jato'];
  if (o.quick) {
    if (!given.has('--servers')) o.servers = [...QUICK_SERVERS];
    if (!given.has('--runs')) o.runs = 1;
    if (!given.has('--duration')) o.durationSeconds = 1;
    if (!given.has('--warmup')) o.warmupSeconds = 0;
  }
  return o;
}
