#!/usr/bin/env node
// The WebSocket half of @jato/parser's `test:native`:
//   1. C++ unit tests of jato/parser/ws_frame.hpp (test/native/ws_unit.cc) built with
//      -fsanitize=address,undefined: the shared case list (test/ws-corpus) whole, byte by byte, split at
//      every offset and in random paused pieces, then 20,000 seeded hostile streams (they also write the
//      fuzz seeds);
//   2. the libFuzzer target fuzz/fuzz_ws_frame.cc (clang++ -fsanitize=fuzzer,address,undefined), seeded
//      with the case list, for JATO_WS_FUZZ_SECONDS (default 30) — a crash is a failed test.
// Writes .test-results/native-ws.json {numPassedTests, numFailedTests} and exits 1 on any failure.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wsCorpusToTsv } from '../ws-corpus/load.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jato-parser-ws-'));
const fuzzSeconds = Number(process.env.JATO_WS_FUZZ_SECONDS ?? 30);
let passed = 0;
let failed = 0;
const failures = [];

function record(name, ok, detail = '') {
  if (ok) passed++;
  else {
    failed++;
    failures.push(`${name}${detail ? `: ${detail}` : ''}`);
  }
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('nice', [cmd, ...args], { cwd: root, ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-1_000_000); });
    child.on('error', (e) => resolve({ status: -1, stdout, stderr: `${stderr}${e.message}`, secs: 0 }));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, secs: (Date.now() - t0) / 1000 }));
  });
}

async function compile(compiler, args, label) {
  const r = await run(compiler, args);
  if (r.status !== 0) {
    record(`${label} compiles`, false, r.stderr.slice(0, 4000));
    return false;
  }
  console.log(`built ${label} in ${r.secs.toFixed(1)} s`);
  return true;
}

const seeds = path.join(work, 'seeds');
fs.mkdirSync(seeds);
const unit = path.join(work, 'ws_unit');
const fuzzer = path.join(work, 'fuzz_ws_frame');
const haveFuzz = have('clang++') && fs.existsSync('/usr/lib/llvm-14/lib/libFuzzer.a');
const flags = ['-std=c++17', '-O1', '-g', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer', '-Iinclude'];

const unitBuilt = compile(have('g++') ? 'g++' : 'clang++', [...flags, '-fsanitize=address,undefined', '-Wall', '-Wextra',
  '-Werror', 'test/native/ws_unit.cc', '-o', unit], 'ws unit tests');
const fuzzBuilt = haveFuzz
  ? compile('clang++', [...flags, '-fsanitize=fuzzer,address,undefined', 'fuzz/fuzz_ws_frame.cc', '-o', fuzzer], 'ws fuzz target')
  : Promise.resolve(false);

if (await unitBuilt) {
  const tsv = path.join(work, 'ws-cases.tsv');
  fs.writeFileSync(tsv, wsCorpusToTsv());
  const r = await run(unit, ['--seeds', seeds, tsv], { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  const summary = /RESULT (\d+) (\d+)/.exec(r.stdout);
  for (const line of r.stdout.split('\n')) if (line.startsWith('FAIL ')) failures.push(line.slice(5));
  if (summary) {
    passed += Number(summary[1]);
    failed += Number(summary[2]);
    console.log(`ws unit: ${summary[1]} passed, ${summary[2]} failed in ${r.secs.toFixed(1)} s`);
    if (summary[2] !== '0') console.log(r.stdout.split('\n').filter((l) => l.startsWith('FAIL')).join('\n'));
  }
  if (!summary || r.status !== 0 && summary[2] === '0') {
    record('ws unit test process exits cleanly', false, `status ${r.status} ${r.signal ?? ''}\n${r.stderr.slice(-4000)}`);
  }
}

if (!haveFuzz) {
  record('ws fuzz target', false, 'clang++ and libFuzzer are missing: run `bash scripts/ensure-tools.sh --native-tests`');
} else if (await fuzzBuilt) {
  const live = path.join(work, 'fuzz-corpus');
  fs.mkdirSync(live);
  const r = await run(fuzzer, [`-max_total_time=${fuzzSeconds}`, `-dict=${path.join(root, 'fuzz', 'ws.dict')}`,
    '-max_len=4096', '-timeout=20', '-rss_limit_mb=2048', '-print_final_stats=1', `-artifact_prefix=${work}${path.sep}`,
    live, seeds]);
  const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(r.stderr)?.[1] ?? '?';
  const ok = r.status === 0;
  record(`ws fuzz ${fuzzSeconds} s (frame parser whole vs random paused pieces)`, ok,
    ok ? `${runs} runs in ${r.secs.toFixed(1)} s from ${fs.readdirSync(seeds).length} seeds`
      : `crashed after ${r.secs.toFixed(1)} s — artefacts in ${work}\n${r.stderr.split('\n').slice(-40).join('\n')}`);
}

fs.mkdirSync(path.join(root, '.test-results'), { recursive: true });
fs.writeFileSync(path.join(root, '.test-results', 'native-ws.json'),
  `${JSON.stringify({ numPassedTests: passed, numFailedTests: failed })}\n`);
if (failed === 0) fs.rmSync(work, { recursive: true, force: true });
console.log(`native ws: ${passed} passed, ${failed} failed`);
if (failures.length > 0) console.log(`failures:\n  ${failures.join('\n  ')}`);
process.exit(failed === 0 ? 0 : 1);
