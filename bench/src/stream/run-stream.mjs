#!/usr/bin/env node
// @ts-check
/**
 * `pnpm bench:stream`: the streaming scenarios side by side — SSE fan-out (1,000 clients: events/s
 * delivered, server CPU per event), 1 MiB streamed downloads and 1 MiB streamed uploads (MB/s,
 * server CPU per MB) — for jato (native transport) and node:http, fastify, Bun, Deno (Bun and Deno
 * from `pnpm bench:setup` in bench/.peers; skipped with a note when missing).
 *
 *   node src/stream/run-stream.mjs [--duration 5] [--servers jato,jato-copy,jato-borrowed,jato-sse-generator,c-floor,c-floor-64k,node-http,fastify,bun,deno]
 *                                  [--scenarios sse,download,upload] [--sse-clients 1000] [--conns 8] [--warmup 1] [--rounds 1]
 *
 * Server CPU is user + system time of the server's process tree (/proc) around each run. All servers
 * are started first; each scenario runs unmeasured for `--warmup` seconds on each (as the seed
 * benchmark does: every server is measured after its JIT compiled the path and its allocator grew to
 * the load), then `--rounds` measured rounds interleave the servers (a slow phase of a shared machine
 * falls on all of them). The table gives medians with the range; with node-http in the list, a
 * second table gives each server's CPU advantage over node:http, per round then the median.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, PEERS_DIR } from '../servers.mjs';
import { freePort, startServer } from '../server-process.mjs';
import { treeCpuSeconds } from '../proc.mjs';
import { MiB, downloads, sseFanOut, uploads } from './clients.mjs';
import { cFloorLaunch } from './c-floor.mjs';
import { summarize } from '../stats.mjs';
import { roundOrder } from '../run-bench.mjs';

const argv = process.argv.slice(2);
/** @param {string} name @param {string} dflt */
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? /** @type {string} */ (argv[i + 1]) : dflt;
};
const duration = Number(arg('duration', '5'));
const servers = arg('servers', 'jato,node-http,fastify,bun,deno').split(',');
const scenarios = arg('scenarios', 'sse,download,upload').split(',');
const sseClients = Number(arg('sse-clients', '1000'));
const conns = Number(arg('conns', '8'));
const warmup = Number(arg('warmup', '1'));
const rounds = Number(arg('rounds', '1'));

const dir = path.join(BENCH_DIR, 'servers');
/** @type {Record<string, () => { command: string, args: string[], env?: Record<string, string> } | string>} */
const launches = {
  jato: () => ({ command: process.execPath, args: [path.join(dir, 'jato-stream.mjs')] }),
  // the same server with /download under the default chunk rule (copied) instead of immutableChunks
  'jato-copy': () => ({ command: process.execPath, args: [path.join(dir, 'jato-stream.mjs')], env: { JATO_DOWNLOAD: 'copy' } }),
  // the same server with SSE through one `sse(async function* ...)` per subscriber instead of SseFeed
  'jato-sse-generator': () => ({ command: process.execPath, args: [path.join(dir, 'jato-stream.mjs')], env: { JATO_SSE: 'generator' } }),
  // the same server with uploads read by `req.stream({ borrowed: true })` (each chunk valid until the next)
  'jato-borrowed': () => ({ command: process.execPath, args: [path.join(dir, 'jato-stream.mjs')], env: { JATO_UPLOAD: 'borrowed' } }),
  'node-http': () => ({ command: process.execPath, args: [path.join(dir, 'node-http-stream.mjs')] }),
  // the floor: a minimal C server on epoll (downloads and uploads only), what any server reaches here
  'c-floor': cFloorLaunch,
  // the floor with one send(2) per 64 KiB chunk (as jato and node:http write a chunk at a time)
  'c-floor-64k': () => {
    const l = cFloorLaunch();
    return typeof l === 'string' ? l : { ...l, env: { C_FLOOR_WRITE: String(64 * 1024 + 9) } };
  },
  fastify: () => ({ command: process.execPath, args: [path.join(dir, 'fastify-stream.mjs')] }),
  bun: () => {
    const bin = path.join(PEERS_DIR, 'node_modules', 'bun', 'bin', 'bun.exe');
    return existsSync(bin) ? { command: bin, args: [path.join(dir, 'bun-stream.mjs')] } : 'bun is not installed (pnpm bench:setup)';
  },
  deno: () => {
    const bin = path.join(PEERS_DIR, 'node_modules', 'deno', 'deno');
    return existsSync(bin)
      ? { command: bin, args: ['run', '--quiet', '--allow-net', '--allow-env', path.join(dir, 'deno-stream.mjs')] }
      : 'deno is not installed (pnpm bench:setup)';
  },
};

/** @param {number} x @param {number} digits */
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/**
 * One measured run of `scenario` against the server on `port`: [rate, server CPU per unit] (SSE:
 * events/s and µs/event; download and upload: MiB/s and ms/MiB).
 * @param {string} scenario @param {number} port @param {number} pid @param {number} seconds
 * @returns {Promise<[number, number]>}
 */
async function measure(scenario, port, pid, seconds) {
  const cpu0 = treeCpuSeconds(pid);
  if (scenario === 'sse') {
    const r = await sseFanOut(port, sseClients, seconds);
    return [r.events / r.seconds, ((treeCpuSeconds(pid) - cpu0) * 1e6) / r.events];
  }
  if (scenario === 'download' || scenario === 'upload') {
    const r = scenario === 'download' ? await downloads(port, conns, seconds) : await uploads(port, conns, seconds);
    const mb = r.bytes / MiB;
    return [mb / r.seconds, ((treeCpuSeconds(pid) - cpu0) * 1e3) / mb];
  }
  throw new Error(`unknown scenario ${scenario} (sse, download, upload)`);
}

// every server is started first and stays up: the rounds interleave them, so that a slow phase of
// the machine falls on all of them rather than on one
/** @type {{ id: string, port: number, server: Awaited<ReturnType<typeof startServer>> }[]} */
const running = [];
/** @type {Map<string, string>} */
const skipped = new Map();
try {
  for (const id of servers) {
    const launch = launches[id]?.();
    if (launch === undefined) throw new Error(`unknown server ${id} (one of ${Object.keys(launches).join(', ')})`);
    if (typeof launch === 'string') {
      skipped.set(id, launch);
      continue;
    }
    const port = await freePort();
    const server = await startServer({ ...launch, env: { HOST: '127.0.0.1', ...launch.env } }, { port, readyTimeoutMs: 30_000 });
    running.push({ id, port, server });
  }
  /** @type {Map<string, [number, number][]>} per `${id} ${scenario}`: the rounds' figures */
  const runs = new Map();
  for (const scenario of scenarios) {
    // the C floor answers downloads and uploads only
    const these = running.filter((r) => scenario !== 'sse' || !r.id.startsWith('c-floor'));
    if (warmup > 0) for (const r of these) await measure(scenario, r.port, r.server.pid, warmup);
    for (let round = 0; round < rounds; round++) {
      // the order alternates between rounds (as in the seed benchmark): no server always runs first
      for (const r of roundOrder(these, round)) {
        const key = `${r.id} ${scenario}`;
        if (!runs.has(key)) runs.set(key, []);
        runs.get(key)?.push(await measure(scenario, r.port, r.server.pid, duration));
      }
    }
  }
  report(runs);
} finally {
  for (const r of running) await r.server.stop();
}

/**
 * Prints the table: per server and scenario the median over the rounds (with the range when there
 * are several), then, with node-http among the servers, node:http's CPU per unit divided by each
 * server's (the median of the per-round ratios: both measured in the same round).
 * @param {Map<string, [number, number][]>} runs
 */
function report(runs) {
  /** @param {[number, number][]} xs @param {0 | 1} i @param {number} d */
  const cell = (xs, i, d) => {
    const s = summarize(xs.map((x) => x[i]));
    return rounds > 1 ? `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})` : fmt(s.median, d);
  };
  console.log(`streaming scenarios: ${rounds} round(s) of ${duration} s each after ${warmup} s of warm-up, the servers interleaved; SSE ${sseClients} clients (10 events per publish round), downloads/uploads of 1 MiB on ${conns} keep-alive connections; medians (min–max)`);
  console.log('| server | SSE events/s | SSE server CPU µs/event | download MiB/s | download server CPU ms/MiB | upload MiB/s | upload server CPU ms/MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const id of servers) {
    if (skipped.has(id)) {
      console.log(`| ${id} | skipped: ${skipped.get(id)} | | | | | |`);
      continue;
    }
    const cells = ['sse', 'download', 'upload'].map((sc) => {
      const xs = runs.get(`${id} ${sc}`);
      // rates as integers, CPU per unit with two decimals
      return xs === undefined ? '- | -' : `${cell(xs, 0, 0)} | ${cell(xs, 1, 2)}`;
    });
    console.log(`| ${id} | ${cells.join(' | ')} |`);
  }
  if (!running.some((r) => r.id === 'node-http')) return;
  console.log('');
  console.log('server CPU per unit, node:http\'s divided by the server\'s in the same round (above 1: less CPU than node:http); median (min–max)');
  console.log('| server | SSE | download | upload |');
  console.log('|---|---:|---:|---:|');
  for (const r of running) {
    if (r.id === 'node-http') continue;
    const cells = ['sse', 'download', 'upload'].map((sc) => {
      const mine = runs.get(`${r.id} ${sc}`);
      const node = runs.get(`node-http ${sc}`);
      if (mine === undefined || node === undefined) return '-';
      const ratios = mine.map((x, i) => /** @type {[number, number]} */ (node[i])[1] / x[1]);
      const s = summarize(ratios);
      return rounds > 1 ? `${fmt(s.median, 2)}× (${fmt(s.min, 2)}–${fmt(s.max, 2)})` : `${fmt(s.median, 2)}×`;
    });
    console.log(`| ${r.id} | ${cells.join(' | ')} |`);
  }
}
