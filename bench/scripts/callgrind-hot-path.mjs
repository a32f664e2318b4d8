#!/usr/bin/env node
// Exact instruction counts of the hello app's `GET /` pipelined hot path under valgrind's callgrind,
// for A/B comparisons of the native loop on a noisy machine (wall-clock benchmarks are not needed).
//
//   node bench/scripts/callgrind-hot-path.mjs [--addon path/to/jato_native_loop.node] [--small 20000] [--large 60000]
//
// Runs the hello app (apps/hello/dist, native transport) twice under callgrind, answering `small`
// and then `large` pipelined `GET /` requests (16 per write, one connection), and prints the
// instructions per request as the difference of the two runs divided by the difference of the
// request counts (start-up and shutdown cancel out): for the whole process and for the native
// addon's own code (the object file jato_native_loop.node). `--addon` selects the addon through
// JATO_NATIVE_LOOP_ADDON (e.g. a copy built from another commit).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const addon = opt('addon', undefined);
const small = Number(opt('small', '20000'));
const large = Number(opt('large', '60000'));
const app = path.join(root, 'apps', 'hello', 'dist', 'index.js');
const objectName = addon ? path.basename(addon) : 'jato_native_loop.node';
if (!fs.existsSync(app)) throw new Error('build first: apps/hello/dist/index.js is missing');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Sends `n` pipelined GET / (16 per write, the next write once its answers are in). */
function drive(port, n) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const batch = 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n'.repeat(16);
    let sent = 0;
    let answered = 0;
    let tail = '';
    const send = () => {
      if (sent >= n) return;
      sent += 16;
      sock.write(batch);
    };
    sock.on('connect', send);
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      const text = tail + d;
      let at = 0;
      for (;;) {
        const k = text.indexOf('Hello world!', at);
        if (k < 0) break;
        answered++;
        at = k + 12;
      }
      tail = text.slice(Math.max(at, text.length - 11));
      if (answered >= sent) {
        if (sent >= n) {
          sock.end();
          resolve();
        } else send();
      }
    });
    sock.on('error', reject);
  });
}

async function waitListening(port) {
  for (let i = 0; i < 600; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the app did not start under valgrind');
}

/** Ir of one callgrind run: total and the addon's own. */
async function run(n) {
  const port = await freePort();
  const out = path.join(os.tmpdir(), `jato-callgrind-${process.pid}-${n}.out`);
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', WORKERS: '1' };
  if (addon) env.JATO_NATIVE_LOOP_ADDON = path.resolve(addon);
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--jitless', app], {
    env, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await waitListening(port);
  await drive(port, 2000); // warm-up (same in both runs)
  await drive(port, n);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  if (!fs.existsSync(out)) throw new Error(`no callgrind output: ${stderr.slice(-2000)}`);
  const ann = spawnSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', out], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (process.env.JATO_CALLGRIND_KEEP !== "1") fs.rmSync(out, { force: true });
  else console.log(`kept ${out}`);
  let total = 0;
  let native = 0;
  for (const line of ann.stdout.split('\n')) {
    const m = /^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$/.exec(line);
    if (!m) continue;
    const ir = Number(m[1].replaceAll(',', ''));
    if (/PROGRAM TOTALS/.test(m[2])) total = ir;
    else if (m[2].includes(`/${objectName}]`)) native += ir;
  }
  return { total, native };
}

const a = await run(small);
const b = await run(large);
const per = (x, y) => ((y - x) / (large - small)).toFixed(1);
console.log(`addon: ${addon ?? '(default)'}; requests ${small} vs ${large} (pipelined 16 deep, --jitless)`);
console.log(`instructions per request, whole process: ${per(a.total, b.total)}`);
console.log(`instructions per request, native addon (${objectName}): ${per(a.native, b.native)}`);
