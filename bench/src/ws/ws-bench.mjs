#!/usr/bin/env node
// @ts-check
/**
 * `pnpm bench:ws`: WebSocket echo (messages/s and server CPU per message; 100 connections, small
 * messages, 32 pipelined sends each) and pub/sub fan-out (1 publisher, 1,000 subscribers;
 * deliveries/s and server CPU per delivery), jato (native and JS transports) side by side with the
 * `ws` package on node, Bun.serve and Deno. Server CPU is the server process tree's user + system time
 * over the measured interval (/proc), so the load generator's own cost does not count.
 *
 *   node src/ws/ws-bench.mjs [--servers jato,jato-js,ws,bun,deno] [--scenarios echo,fanout]
 *                            [--duration 5] [--connections 100] [--window 32] [--subscribers 1000] [--runs 1]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, PEERS_DIR } from '../servers.mjs';
import { freePort, startServer } from '../server-process.mjs';
import { treeCpuSeconds } from '../proc.mjs';
import { echoLoad, fanoutLoad } from './load.mjs';

const args = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const servers = String(opt('servers', 'jato,jato-js,ws,bun,deno')).split(',');
const scenarios = String(opt('scenarios', 'echo,fanout')).split(',');
const duration = Number(opt('duration', '5'));
const connections = Number(opt('connections', '100'));
const window = Number(opt('window', '32'));
const subscribers = Number(opt('subscribers', '1000'));
const runs = Number(opt('runs', '1'));

const file = (/** @type {string} */ f) => path.join(BENCH_DIR, 'servers', 'ws', f);
/** @type {Record<string, () => { command: string, args: string[], env?: Record<string, string> } | string>} */
const catalog = {
  jato: () => ({ command: process.execPath, args: [file('jato-ws.mjs')], env: { TRANSPORT: 'native' } }),
  'jato-js': () => ({ command: process.execPath, args: [file('jato-ws.mjs')], env: { TRANSPORT: 'js' } }),
  ws: () => ({ command: process.execPath, args: [file('ws-node.mjs')] }),
  bun: () => {
    const bin = path.join(PEERS_DIR, 'node_modules', 'bun', 'bin', 'bun.exe');
    return existsSync(bin) ? { command: bin, args: [file('bun-ws.mjs')] } : 'bun is not installed (pnpm bench:setup)';
  },
  deno: () => {
    const bin = path.join(PEERS_DIR, 'node_modules', 'deno', 'deno');
    return existsSync(bin)
      ? { command: bin, args: ['run', '--quiet', '--allow-net', '--allow-env', file('deno-ws.mjs')] }
      : 'deno is not installed (pnpm bench:setup)';
  },
};

const rows = [];
for (const id of servers) {
  const launch = catalog[id]?.();
  if (launch === undefined) throw new Error(`unknown server ${id}`);
  if (typeof launch === 'string') {
    console.log(`skipped ${id}: ${launch}`);
    continue;
  }
  for (const scenario of scenarios) {
    for (let run = 0; run < runs; run++) {
      const port = await freePort();
      const server = await startServer({ ...launch, cwd: BENCH_DIR, env: { HOST: '127.0.0.1', ...launch.env } }, { port });
      let cpu0 = 0;
      let cpu = 0;
      const measure = (/** @type {'start' | 'stop'} */ at) => {
        if (at === 'start') cpu0 = treeCpuSeconds(server.pid);
        else cpu = treeCpuSeconds(server.pid) - cpu0;
      };
      try {
        if (scenario === 'echo') {
          const r = await echoLoad({ port, connections, window, seconds: duration, measure });
          rows.push({ server: id, scenario, rate: r.messages / r.seconds, unit: 'messages/s', cpuUs: (cpu * 1e6) / r.messages, count: r.messages });
        } else {
          const r = await fanoutLoad({ port, subscribers, window: 4, seconds: duration, measure });
          rows.push({ server: id, scenario, rate: r.deliveries / r.seconds, unit: 'deliveries/s', cpuUs: (cpu * 1e6) / r.deliveries, count: r.deliveries });
        }
      } catch (error) {
        console.log(`${id} ${scenario} failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await server.stop();
      }
      const last = rows.at(-1);
      if (last && last.server === id && last.scenario === scenario) {
        console.log(`${id.padEnd(8)} ${scenario.padEnd(7)} ${Math.round(last.rate).toLocaleString('en').padStart(12)} ${last.unit.padEnd(13)} ${last.cpuUs.toFixed(3).padStart(8)} µs server CPU each`);
      }
    }
  }
}

console.log(`\n| server | scenario | rate | server CPU per message / delivery |\n|---|---|---:|---:|`);
for (const r of rows) console.log(`| ${r.server} | ${r.scenario} | ${Math.round(r.rate).toLocaleString('en')} ${r.unit} | ${r.cpuUs.toFixed(3)} µs |`);
console.log(`\n(${duration} s per run, echo: ${connections} connections × ${window} in flight; fan-out: 1 publisher, ${subscribers} subscribers)`);
