#!/usr/bin/env node
// The network fuzzer (`test:fuzz` of @jato/core, part of `npm test` and CI's .ci/run): seeded
// mutations of valid pipelined requests, written in random pieces and closed at random moments (read
// to the end, FIN after everything, FIN mid-request, RST via resetAndDestroy, mid-request), against
// a @jato/core app with sync and async routes served in a child process, on each transport in turn.
// Checks, per transport: the server process lives and still answers at the end; every request that
// got an answer got exactly one, in order (answers name their request, parsed strictly); every valid
// request read to the end is answered; the server's RSS stays under a bound.
//
// Environment: JATO_NET_FUZZ_SECONDS per transport (30 in CI, else 5), JATO_NET_FUZZ_SEED (printed;
// each connection's seed is printed with its failure, and replays its bytes and close timing),
// JATO_NET_FUZZ_RSS_MB (300), JATO_NET_FUZZ_TRANSPORTS ('native,js'), JATO_NET_FUZZ_CONCURRENCY (16).
// Writes .test-results/net-fuzz.json {numPassedTests, numFailedTests}; exits 1 on a failure.
// Loopback only; every loop is bounded by the duration and by a connection cap.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzConnection } from './connection.mjs';
import { int, prng } from './prng.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..', '..');
const env = process.env;
const SECONDS = Number(env.JATO_NET_FUZZ_SECONDS ?? (env.CI ? 30 : 5));
const SEED = Number(env.JATO_NET_FUZZ_SEED ?? 20261129) >>> 0;
const RSS_MB = Number(env.JATO_NET_FUZZ_RSS_MB ?? 300);
const CONCURRENCY = Math.max(1, Math.min(64, Number(env.JATO_NET_FUZZ_CONCURRENCY ?? 16)));
const TRANSPORTS = (env.JATO_NET_FUZZ_TRANSPORTS ?? 'native,js').split(',').map((s) => s.trim()).filter(Boolean);
/** A cap on connections per transport, whatever the duration (bounds the loop and TIME_WAIT sockets). */
const MAX_CONNECTIONS = 20_000;

const results = [];
const record = (name, ok, detail) => {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
};

/** Starts the fuzz server on `transport`; resolves once it listens. */
function startServer(transport) {
  const child = fork(path.join(here, 'server.mjs'), [transport], {
    cwd: pkg,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...env, NODE_ENV: 'production' },
  });
  const state = { child, exit: undefined, stderr: '', maxRss: 0, port: 0, transport: '' };
  child.stderr.on('data', (d) => {
    state.stderr = (state.stderr + d.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    state.exit = { code, signal };
  });
  child.on('message', (m) => {
    if (typeof m?.rss === 'number') state.maxRss = Math.max(state.maxRss, m.rss);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fuzz server did not start within 30 s')), 30_000);
    child.on('message', (m) => {
      if (typeof m?.port !== 'number') return;
      clearTimeout(timer);
      state.port = m.port;
      state.transport = m.transport;
      resolve(state);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the fuzz server exited before listening: ${state.stderr}`));
    });
  });
}

async function fuzzTransport(transport, seed) {
  let server;
  try {
    server = await startServer(transport);
  } catch (e) {
    record(`${transport}: server starts`, false, e.message);
    return;
  }
  if (server.transport !== transport) {
    record(`${transport}: server starts`, false, `the app runs on ${server.transport}`);
    server.child.kill();
    return;
  }
  const sampler = setInterval(() => {
    if (server.exit === undefined && server.child.connected) server.child.send('rss');
  }, 250);
  const rand = prng(seed);
  const deadline = Date.now() + SECONDS * 1000;
  const stats = { connections: 0, requests: 0, verified: 0, modes: {} };
  const failures = [];
  let started = 0;
  const worker = async () => {
    while (Date.now() < deadline && server.exit === undefined && failures.length < 10 && started < MAX_CONNECTIONS) {
      started++;
      const connSeed = int(rand, 2 ** 32);
      const r = await fuzzConnection(server.port, connSeed);
      stats.connections++;
      stats.requests += r.requests;
      stats.verified += r.verified;
      stats.modes[r.mode] = (stats.modes[r.mode] ?? 0) + 1;
      if (r.problems.length > 0) failures.push(`connection seed ${connSeed} (${r.mode}): ${r.problems.slice(0, 3).join('; ')}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // a last plain request: the server still answers
  let alive = server.exit === undefined;
  if (alive) {
    const last = await fuzzConnectionPlain(server.port);
    if (last !== '') failures.push(`final request: ${last}`);
  }
  clearInterval(sampler);
  // one last sample, awaited (bounded): a short run on a busy machine may not have had one yet
  if (server.exit === undefined && server.child.connected) {
    await new Promise((resolve) => {
      const t = setTimeout(resolve, 10_000);
      const onMessage = (m) => {
        if (typeof m?.rss !== 'number') return;
        clearTimeout(t);
        server.child.off('message', onMessage);
        resolve();
      };
      server.child.on('message', onMessage);
      server.child.send('rss');
    });
  }
  alive = server.exit === undefined;
  console.log(
    `${transport}: ${stats.connections} connections, ${stats.requests} requests, ${stats.verified} answers verified, ` +
      `modes ${JSON.stringify(stats.modes)}, max RSS ${(server.maxRss / 2 ** 20).toFixed(1)} MB`,
  );
  record(`${transport}: the server process lives`, alive, alive ? '' : `exit ${JSON.stringify(server.exit)}: ${server.stderr}`);
  record(`${transport}: every answer once, in order, for its request`, failures.length === 0, failures.join('\n  '));
  record(`${transport}: RSS stays under ${RSS_MB} MB`, server.maxRss > 0 && server.maxRss < RSS_MB * 2 ** 20, `max ${(server.maxRss / 2 ** 20).toFixed(1)} MB`);
  if (server.exit === undefined) {
    server.child.send('close');
    const exited = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), 5_000);
      server.child.once('exit', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!exited) server.child.kill('SIGKILL');
  }
}

/** One GET on a fresh connection; '' when it is answered 200 with its id. */
async function fuzzConnectionPlain(port) {
  const { default: net } = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no answer within 20 s (got ${JSON.stringify(got.slice(0, 200))})`);
    }, 20_000);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (/\r\n\r\nfinal$/.test(got)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got.startsWith('HTTP/1.1 200 ') ? '' : `unexpected answer ${JSON.stringify(got.slice(0, 200))}`);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      resolve(`error ${e.message}`);
    });
    socket.write('GET /echo-seq/final HTTP/1.1\r\nHost: fuzz\r\n\r\n');
  });
}

console.log(`network fuzz: ${SECONDS} s per transport (${TRANSPORTS.join(', ')}), seed ${SEED}, concurrency ${CONCURRENCY}, RSS bound ${RSS_MB} MB`);
for (const [i, transport] of TRANSPORTS.entries()) await fuzzTransport(transport, (SEED + i * 0x9e3779b9) >>> 0);
const failed = results.filter((r) => !r.ok).length;
fs.mkdirSync(path.join(pkg, '.test-results'), { recursive: true });
fs.writeFileSync(
  path.join(pkg, '.test-results', 'net-fuzz.json'),
  JSON.stringify({ numPassedTests: results.length - failed, numFailedTests: failed, seed: SEED, seconds: SECONDS }),
);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
