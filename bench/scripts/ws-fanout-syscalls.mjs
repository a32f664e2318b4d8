#!/usr/bin/env node
// Exact counts behind the ws bench's fan-out figure: the same load as `bench:ws --scenarios fanout`
// (src/ws/load.mjs) against one server while `perf stat` counts its syscalls and CPU time over the
// measured interval, printed per delivery: how many writes (sendto/write/writev), reads and epoll
// waits one delivery costs, task-clock per delivery and per write. Writes per delivery is the number
// that decides fan-out CPU (each small TCP write on loopback costs the sender several µs of kernel
// time, the receiver's softirq included); the rest is the server's own user-space work.
//
//   node bench/scripts/ws-fanout-syscalls.mjs [--servers jato,bun] [--duration 3] [--subscribers 1000] [--runs 1]
//
// Needs perf with the syscalls tracepoints (root, or kernel.perf_event_paranoid <= 1 and tracefs access).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { freePort, startServer } = await import(path.join(benchDir, 'src', 'server-process.mjs'));
const { fanoutLoad } = await import(path.join(benchDir, 'src', 'ws', 'load.mjs'));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const servers = String(opt('servers', 'jato,bun')).split(',');
const duration = Number(opt('duration', '3'));
const subscribers = Number(opt('subscribers', '1000'));
const runs = Number(opt('runs', '1'));

if (spawnSync('perf', ['--version']).status !== 0) {
  console.error('perf is not installed (linux-perf / linux-tools)');
  process.exit(1);
}

const file = (f) => path.join(benchDir, 'servers', 'ws', f);
const peers = path.join(benchDir, '.peers', 'node_modules');
const catalog = {
  jato: () => ({ command: process.execPath, args: [file('jato-ws.mjs')], env: { TRANSPORT: 'native' } }),
  'jato-js': () => ({ command: process.execPath, args: [file('jato-ws.mjs')], env: { TRANSPORT: 'js' } }),
  ws: () => ({ command: process.execPath, args: [file('ws-node.mjs')] }),
  bun: () => {
    const bin = path.join(peers, 'bun', 'bin', 'bun.exe');
    return existsSync(bin) ? { command: bin, args: [file('bun-ws.mjs')] } : null;
  },
  deno: () => {
    const bin = path.join(peers, 'deno', 'deno');
    return existsSync(bin) ? { command: bin, args: ['run', '--quiet', '--allow-net', '--allow-env', file('deno-ws.mjs')] } : null;
  },
};

const EVENTS = ['task-clock', 'raw_syscalls:sys_enter', 'syscalls:sys_enter_sendto', 'syscalls:sys_enter_sendmsg',
  'syscalls:sys_enter_write', 'syscalls:sys_enter_writev', 'syscalls:sys_enter_read', 'syscalls:sys_enter_recvfrom',
  'syscalls:sys_enter_epoll_wait', 'syscalls:sys_enter_epoll_pwait', 'syscalls:sys_enter_epoll_pwait2', 'syscalls:sys_enter_epoll_ctl'];

/** perf stat's text output → event → count (task-clock in ms). */
function parsePerf(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\d.,]+)\s+(?:msec\s+)?(\S+)/.exec(line);
    if (m && EVENTS.includes(m[2])) out[m[2]] = Number(m[1].replaceAll(',', ''));
  }
  return out;
}

for (const id of servers) {
  const launch = catalog[id]?.();
  if (!launch) {
    console.log(`skipped ${id}: unknown or not installed`);
    continue;
  }
  for (let run = 0; run < runs; run++) {
    const port = await freePort();
    const server = await startServer({ ...launch, cwd: benchDir, env: { HOST: '127.0.0.1', ...launch.env } }, { port });
    const outFile = path.join(os.tmpdir(), `ws-fanout-perf-${process.pid}-${id}.txt`);
    let perf;
    let perfDone;
    try {
      const r = await fanoutLoad({
        port, subscribers, window: 4, seconds: duration,
        measure: (at) => {
          if (at === 'start') {
            perf = spawn('perf', ['stat', '-e', EVENTS.join(','), '-p', String(server.pid), '-o', outFile], { stdio: 'ignore' });
            perfDone = new Promise((resolve) => perf.once('exit', resolve));
          } else perf?.kill('SIGINT');
        },
      });
      await perfDone;
      const c = parsePerf(readFileSync(outFile, 'utf8'));
      const n = r.deliveries;
      const writes = (c['syscalls:sys_enter_sendto'] ?? 0) + (c['syscalls:sys_enter_sendmsg'] ?? 0) +
        (c['syscalls:sys_enter_write'] ?? 0) + (c['syscalls:sys_enter_writev'] ?? 0);
      const reads = (c['syscalls:sys_enter_read'] ?? 0) + (c['syscalls:sys_enter_recvfrom'] ?? 0);
      const waits = (c['syscalls:sys_enter_epoll_wait'] ?? 0) + (c['syscalls:sys_enter_epoll_pwait'] ?? 0) + (c['syscalls:sys_enter_epoll_pwait2'] ?? 0);
      const ms = c['task-clock'] ?? 0;
      console.log(`${id.padEnd(8)} ${n.toLocaleString('en').padStart(10)} deliveries  ` +
        `writes/delivery ${(writes / n).toFixed(3)}  reads/delivery ${(reads / n).toFixed(4)}  epoll waits/delivery ${(waits / n).toFixed(4)}  ` +
        `epoll_ctl ${c['syscalls:sys_enter_epoll_ctl'] ?? 0}  syscalls/delivery ${((c['raw_syscalls:sys_enter'] ?? 0) / n).toFixed(3)}  ` +
        `CPU ${(ms * 1000 / n).toFixed(3)} µs/delivery, ${(ms * 1000 / Math.max(writes, 1)).toFixed(2)} µs/write  ` +
        `(messages per read ${(n / subscribers / Math.max(reads, 1)).toFixed(2)})`);
    } finally {
      perf?.kill('SIGINT');
      await server.stop();
      rmSync(outFile, { force: true });
    }
  }
}
