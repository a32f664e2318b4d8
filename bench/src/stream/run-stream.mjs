#!/usr/bin/env node
// @ts-check
/**
 * `pnpm bench:stream`: the streaming scenarios side by side — SSE fan-out (1,000 clients: events/s
 * delivered, server CPU per event), 1 MiB streamed downloads and 1 MiB streamed uploads (MB/s,
 * server CPU per MB) — for jato (native transport) and node:http, fastify, Bun, Deno (Bun and Deno
 * from `pnpm bench:setup` in bench/.peers; skipped with a note when missing).
 *
 *   node src/stream/run-stream.mjs [--duration 5] [--servers jato,jato-copy,jato-borrowed,jato-sse-generator,c-floor,c-floor-64k,node-http,fastify,bun,deno]
 *                                  [--scenarios sse,download,upload] [--sse-clients 1000] [--conns 8]
 *
 * Server CPU is user + system time of the server's process tree (/proc) around each scenario.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, PEERS_DIR } from '../servers.mjs';
import { freePort, startServer } from '../server-process.mjs';
import { treeCpuSeconds } from '../proc.mjs';
import { MiB, downloads, sseFanOut, uploads } from './clients.mjs';
import { cFloorLaunch } from './c-floor.mjs';

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

const rows = [];
for (const id of servers) {
  const launch = launches[id]?.();
  if (launch === undefined) throw new Error(`unknown server ${id} (one of ${Object.keys(launches).join(', ')})`);
  if (typeof launch === 'string') {
    rows.push(`| ${id} | skipped: ${launch} | | | | | |`);
    continue;
  }
  const port = await freePort();
  const server = await startServer({ ...launch, env: { HOST: '127.0.0.1', ...launch.env } }, { port, readyTimeoutMs: 30_000 });
  try {
    const cells = { sse: ['-', '-'], download: ['-', '-'], upload: ['-', '-'] };
    for (const scenario of scenarios) {
      const cpu0 = treeCpuSeconds(server.pid);
      if (scenario === 'sse') {
        const r = await sseFanOut(port, sseClients, duration);
        const cpu = treeCpuSeconds(server.pid) - cpu0;
        cells.sse = [fmt(r.events / r.seconds, 0), fmt((cpu * 1e6) / r.events, 2)];
      } else if (scenario === 'download' || scenario === 'upload') {
        const r = scenario === 'download' ? await downloads(port, conns, duration) : await uploads(port, conns, duration);
        const cpu = treeCpuSeconds(server.pid) - cpu0;
        const mb = r.bytes / MiB;
        cells[scenario] = [fmt(mb / r.seconds, 0), fmt((cpu * 1e3) / mb, 2)];
      } else {
        throw new Error(`unknown scenario ${scenario} (sse, download, upload)`);
      }
    }
    rows.push(`| ${id} | ${cells.sse.join(' | ')} | ${cells.download.join(' | ')} | ${cells.upload.join(' | ')} |`);
  } finally {
    await server.stop();
  }
}

console.log(`streaming scenarios: ${duration} s each, SSE ${sseClients} clients (10 events per publish round), downloads/uploads of 1 MiB on ${conns} keep-alive connections`);
console.log('| server | SSE events/s | SSE server CPU µs/event | download MiB/s | download server CPU ms/MiB | upload MiB/s | upload server CPU ms/MiB |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
