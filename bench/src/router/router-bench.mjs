// @ts-check
/**
 * Router micro-benchmark: matches per second, in-process, @jato/router against find-my-way and hono's
 * RegExpRouter and TrieRouter, on (a) 10 static routes, (b) a ~130-route REST API table with params and
 * (c) the same table with static routes beside params (which hono's RegExpRouter rejects).
 * Runs alternate between routers (A B C D, A B C D, …); figures are medians over the runs, from CPU time
 * (process.cpuUsage) so that a busy machine distorts them less. Not a test: it reports, it never fails
 * on a number. `--quick` does a short smoke run.
 *
 *   pnpm --filter @jato/router run build && pnpm --filter @jato/bench run bench:router [--quick] [--json]
 */
import { findMyWay, honoRegExp, honoTrie, jato } from './adapters.mjs';
import { apiLookups, apiLookupsWithOverlaps, apiRoutes, apiRoutesWithOverlaps, staticLookups, staticRoutes } from './routes.mjs';

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const RUNS = quick ? 3 : 9;
const LOOKUPS = quick ? 50_000 : 2_000_000;

/** @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? /** @type {number} */ (s[m]) : (/** @type {number} */ (s[m - 1]) + /** @type {number} */ (s[m])) / 2;
}

/**
 * @param {string} label
 * @param {[string, string][]} routes
 * @param {string[][]} lookups
 */
function suite(label, routes, lookups) {
  /** @type {import('./adapters.mjs').Bench[]} */
  const benches = [];
  /** @type {string[]} */
  const unsupported = [];
  for (const make of [jato, findMyWay, honoRegExp, honoTrie]) {
    try {
      const b = make(routes);
      b.check('GET', '/'); // hono's RegExpRouter builds lazily, on the first match
      benches.push(b);
    } catch (e) {
      unsupported.push(`${make.name}: ${/** @type {Error} */ (e).constructor.name} ${/** @type {Error} */ (e).message}`);
    }
  }
  // sanity: every router finds the same route with the same params for every lookup
  /** @param {unknown} x */
  // (keys sorted; the catch-all's value left out, because hono's routers do not capture it)
  const canonical = (x) =>
    JSON.stringify(x, (_, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== '*').sort()) : v,
    );
  for (const [m, p] of lookups) {
    const want = canonical(benches[0]?.check(/** @type {string} */ (m), /** @type {string} */ (p)));
    if (want === 'null') throw new Error(`${label}: @jato/router does not match ${m} ${p}`);
    for (const b of benches.slice(1)) {
      const got = canonical(b.check(/** @type {string} */ (m), /** @type {string} */ (p)));
      if (got !== want) throw new Error(`${label}: ${b.name} gives ${got} for ${m} ${p}, @jato/router gives ${want}`);
    }
  }
  /** @type {Map<string, { cpu: number[], wall: number[] }>} */
  const samples = new Map(benches.map((b) => [b.name, { cpu: [], wall: [] }]));
  for (const b of benches) b.run(lookups, Math.min(LOOKUPS, 200_000)); // warm-up
  let sink = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const b of benches) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      sink += b.run(lookups, LOOKUPS);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      const s = /** @type {{ cpu: number[], wall: number[] }} */ (samples.get(b.name));
      s.cpu.push(LOOKUPS / ((c.user + c.system) / 1e6));
      s.wall.push(LOOKUPS / wall);
    }
  }
  const rows = benches.map((b) => {
    const s = /** @type {{ cpu: number[], wall: number[] }} */ (samples.get(b.name));
    return {
      router: b.name,
      matchesPerSecCpu: median(s.cpu),
      minCpu: Math.min(...s.cpu),
      maxCpu: Math.max(...s.cpu),
      matchesPerSecWall: median(s.wall),
      nsPerMatchCpu: 1e9 / median(s.cpu),
    };
  });
  const jatoRate = /** @type {number} */ (rows[0]?.matchesPerSecCpu);
  return { label, unsupported, routes: routes.length, lookups: lookups.length, runs: RUNS, perRun: LOOKUPS, sink, rows: rows.map((r) => ({ ...r, jatoSpeedup: jatoRate / r.matchesPerSecCpu })) };
}

const results = [
  suite('(a) 10 static routes', staticRoutes, staticLookups),
  suite(`(b) REST API table, ${apiRoutes.length} routes, mixed lookups`, apiRoutes, apiLookups),
  suite(`(c) REST API table with static-beside-param overlaps, ${apiRoutesWithOverlaps.length} routes`, apiRoutesWithOverlaps, apiLookupsWithOverlaps),
];
if (json) console.log(JSON.stringify({ node: process.version, results }, null, 2));
else {
  console.log(`node ${process.version}, ${RUNS} alternating runs × ${LOOKUPS} lookups; medians from CPU time`);
  for (const r of results) {
    console.log(`\n${r.label} (${r.lookups} distinct lookups)`);
    for (const u of r.unsupported) console.log(`  not run, the table is unsupported: ${u}`);
    console.log('router               matches/s (CPU)   min–max               ns/match   jato ×');
    for (const row of r.rows) {
      const fmt = (/** @type {number} */ x) => Math.round(x).toLocaleString('en-US');
      console.log(
        `${row.router.padEnd(20)} ${fmt(row.matchesPerSecCpu).padStart(14)}   ${`${fmt(row.minCpu)}–${fmt(row.maxCpu)}`.padEnd(21)} ${row.nsPerMatchCpu.toFixed(1).padStart(8)}   ${row.jatoSpeedup.toFixed(2)}`,
      );
    }
  }
}
