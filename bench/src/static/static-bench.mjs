#!/usr/bin/env node
// @ts-check
/**
 * `pnpm bench:static`: static files served by jato (serveStatic, native transport) side by side with
 * nginx (`sendfile on`), Bun (`new Response(Bun.file())`), @fastify/static and Deno (a `Deno.open`
 * stream: serveDir itself is on JSR, out of reach here). Scenarios: a 1 KiB file pipelined (24 deep)
 * and plain, and a 1 MiB file. Each server is pinned to CPU 0 and wrk to CPU 1; the server's CPU time
 * (user + system of its process tree, from /proc) gives µs per request and ms per MB.
 *
 *   pnpm bench:static [--duration 10] [--servers jato,nginx,bun,deno,fastify-static] [--out FILE]
 */

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer } from '../server-process.mjs';
import { runWrk } from '../wrk.mjs';
import { treeCpuSeconds } from '../proc.mjs';
import { httpGet } from '../http-check.mjs';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVERS_DIR = path.join(BENCH_DIR, 'servers', 'static');
const PEERS = path.join(BENCH_DIR, '.peers', 'node_modules');

/** @typedef {{ id: string, pipeline: number, connections: number, path: string, bytes: number }} Scenario */
/** @type {Scenario[]} */
export const SCENARIOS = [
  { id: '1 KiB pipelined ×24', pipeline: 24, connections: 50, path: '/static/small.txt', bytes: 1024 },
  { id: '1 KiB plain', pipeline: 1, connections: 50, path: '/static/small.txt', bytes: 1024 },
  { id: '1 MiB plain', pipeline: 1, connections: 8, path: '/static/mib.bin', bytes: 1024 * 1024 },
];

/**
 * How to start each server over `root` (holding static/), or why it cannot be.
 * @param {string} id
 * @param {string} root
 * @returns {{ ok: true, launch: import('../server-process.mjs').LaunchSpec } | { ok: false, reason: string }}
 */
export function staticServer(id, root) {
  const dir = path.join(root, 'static');
  const env = { STATIC_DIR: dir, HOST: '127.0.0.1' };
  switch (id) {
    case 'jato':
      return { ok: true, launch: { command: process.execPath, args: [path.join(SERVERS_DIR, 'jato-static.mjs')], env, cwd: BENCH_DIR } };
    case 'fastify-static':
      return { ok: true, launch: { command: process.execPath, args: [path.join(SERVERS_DIR, 'fastify-static.mjs')], env, cwd: BENCH_DIR } };
    case 'bun': {
      const bin = path.join(PEERS, 'bun', 'bin', 'bun.exe');
      if (!existsSync(bin)) return { ok: false, reason: 'bun is not in bench/.peers (pnpm bench:setup)' };
      return { ok: true, launch: { command: bin, args: [path.join(SERVERS_DIR, 'bun-static.mjs')], env } };
    }
    case 'deno': {
      const bin = path.join(PEERS, 'deno', 'deno');
      if (!existsSync(bin)) return { ok: false, reason: 'deno is not in bench/.peers (pnpm bench:setup)' };
      return { ok: true, launch: { command: bin, args: ['run', '--allow-net', '--allow-env', '--allow-read', path.join(SERVERS_DIR, 'deno-static.mjs')], env: { ...env, DENO_NO_UPDATE_CHECK: '1' } } };
    }
    case 'nginx': {
      let bin = '';
      for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(p)) bin = p;
      if (bin === '') return { ok: false, reason: 'nginx is not installed (pnpm bench:setup)' };
      const prefix = mkdtempSync(path.join(os.tmpdir(), 'jato-static-nginx-'));
      const conf = readFileSync(path.join(SERVERS_DIR, 'nginx-static.conf'), 'utf8').replaceAll('__PREFIX__', prefix).replaceAll('__ROOT__', root);
      writeFileSync(path.join(prefix, 'nginx.conf.in'), conf);
      const script = 'sed "s/__PORT__/$PORT/g" "$1/nginx.conf.in" > "$1/nginx.conf" && exec "$2" -p "$1" -e "$1/error.log" -c "$1/nginx.conf"';
      return { ok: true, launch: { command: 'sh', args: ['-c', script, 'nginx-launch', prefix, bin], cleanup: () => rmSync(prefix, { recursive: true, force: true }) } };
    }
    default:
      return { ok: false, reason: `unknown server ${id}` };
  }
}

/** @param {string[]} argv */
function parseArgs(argv) {
  const o = { duration: 10, servers: ['jato', 'nginx', 'bun', 'deno', 'fastify-static'], out: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--duration' && v !== undefined) o.duration = Number(argv[++i]);
    else if (a === '--servers' && v !== undefined) o.servers = String(argv[++i]).split(',');
    else if (a === '--out' && v !== undefined) o.out = String(argv[++i]);
    else throw new Error(`unknown option ${a}\nusage: pnpm bench:static [--duration S] [--servers a,b] [--out FILE]`);
  }
  if (!(o.duration >= 1)) throw new Error('--duration must be at least 1 second');
  return o;
}

/** @param {number} n */
const fmt = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/**
 * Runs the scenario; prints the table (and writes it to --out). Exit code 1 when a server answered
 * wrongly or a cell had errors (a skipped peer is listed, not an error).
 * @param {string[]} [argv]
 * @param {(line: string) => void} [log]
 * @returns {Promise<number>}
 */
export async function main(argv = process.argv.slice(2), log = (l) => void process.stderr.write(`${l}\n`)) {
  const o = parseArgs(argv);
  const root = mkdtempSync(path.join(os.tmpdir(), 'jato-static-bench-'));
  chmodSync(root, 0o755); // nginx's workers run as an unprivileged user
  mkdirSync(path.join(root, 'static'), { mode: 0o755 });
  writeFileSync(path.join(root, 'static', 'small.txt'), 'x'.repeat(1023) + '\n');
  const mib = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib.length; i++) mib[i] = (i * 7) & 0xff;
  writeFileSync(path.join(root, 'static', 'mib.bin'), mib);
  const cpus = os.cpus().length;
  const serverCpu = 0;
  const wrkCpu = cpus > 1 ? 1 : undefined;
  /** @type {string[]} */
  const rows = [];
  /** @type {string[]} */
  const problems = [];
  try {
    for (const id of o.servers) {
      const r = staticServer(id, root);
      if (!r.ok) {
        problems.push(`${id}: skipped (${r.reason})`);
        continue;
      }
      const port = await freePort();
      const server = await startServer(r.launch, { port, cpu: serverCpu, readyTimeoutMs: 15000 });
      try {
        for (const [p, len] of [['/static/small.txt', 1024], ['/static/mib.bin', 1024 * 1024]]) {
          const res = await httpGet(port, /** @type {string} */ (p), 10000);
          if (res.status !== 200 || res.body.length !== len) throw new Error(`${id}: GET ${p} answered ${res.status} with ${res.body.length} bytes`);
        }
        for (const sc of SCENARIOS) {
          const cpu0 = treeCpuSeconds(server.pid);
          const w = await runWrk({ port, path: sc.path, pipeline: sc.pipeline, durationSeconds: o.duration, connections: sc.connections, threads: 1, timeoutSeconds: 10, cpu: wrkCpu });
          const cpu = treeCpuSeconds(server.pid) - cpu0;
          const rep = w.report;
          const mb = rep.bytesRead / 1e6;
          const bad = rep.non2xx3xx + rep.socketErrors.connect + rep.socketErrors.read + rep.socketErrors.write + rep.socketErrors.timeout;
          if (bad > 0) problems.push(`${id} / ${sc.id}: ${bad} errors or non-2xx answers`);
          const row = `| ${sc.id} | ${id} | ${fmt(rep.requestsPerSecond)} | ${fmt((cpu * 1e6) / Math.max(1, rep.requests))} | ${fmt(mb / rep.durationSeconds)} | ${fmt((cpu * 1000) / Math.max(1e-9, mb))} |`;
          rows.push(row);
          log(row);
        }
      } finally {
        await server.stop();
        r.launch.cleanup?.();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  rows.sort();
  const table = [
    `Static files, ${o.duration} s per cell, server on CPU ${serverCpu}${wrkCpu === undefined ? '' : `, wrk on CPU ${wrkCpu}`} (${os.cpus()[0]?.model ?? 'cpu'}, ${cpus} CPUs, node ${process.version}).`,
    `Command: \`pnpm bench:static --duration ${o.duration}${argv.includes('--servers') ? ` --servers ${o.servers.join(',')}` : ''}\``,
    '',
    '| scenario | server | requests/s | server CPU µs/request | MB/s | server CPU ms/MB |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    ...(problems.length > 0 ? ['', ...problems.map((p) => `- ${p}`)] : []),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (o.out !== '') writeFileSync(o.out, `${table}\n`);
  return problems.some((p) => !p.includes('skipped')) ? 1 : 0;
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => process.exit(130));
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${e?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
