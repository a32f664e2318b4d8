#!/usr/bin/env node
// The `test:native` runner of @jato/parser:
//   1. C++ unit tests (test/native/unit.cc) built with -fsanitize=address,undefined; every case whole,
//      split at every offset and byte by byte, at every SIMD level; the shared corpus
//      (test/corpus/*.json, if present) runs through it too;
//   2. the libFuzzer target (fuzz/fuzz_parser.cc, clang++ -fsanitize=fuzzer,address,undefined),
//      seeded with every case above, for JATO_FUZZ_SECONDS (default 60) — a crash is a failed test;
//   3. the package's vitest tests (native, corpus, differential) against an ASan/UBSan build of the addon,
//      loaded through JATO_PARSER_ADDON with libasan/libubsan preloaded (JATO_SKIP_ASAN_VITEST=1 skips).
// The two compiles run side by side, and the sanitizer addon builds while the fuzzer runs (2 cores).
// Writes .test-results/native.json {numPassedTests, numFailedTests} and exits 1 on any failure.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusToTsv } from './corpus-tsv.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jato-parser-native-'));
const fuzzSeconds = Number(process.env.JATO_FUZZ_SECONDS ?? 60);
const skipAsanVitest = process.env.JATO_SKIP_ASAN_VITEST === '1';
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

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command (niced) and resolves with its status and output. */
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

const includes = ['-Iinclude', '-Inative', '-Itest/native'];
const seeds = path.join(work, 'seeds');
fs.mkdirSync(seeds);
const unit = path.join(work, 'unit');
const fuzzer = path.join(work, 'fuzz_parser');
const haveFuzz = have('clang++') && fs.existsSync('/usr/lib/llvm-14/lib/libFuzzer.a');

const unitBuilt = compile(have('g++') ? 'g++' : 'clang++', ['-std=c++17', '-O1', '-g', '-fsanitize=address,undefined',
  '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer', '-Wall', '-Wextra', '-Werror', ...includes,
  'test/native/unit.cc', '-o', unit], 'unit tests');
const fuzzBuilt = haveFuzz
  ? compile('clang++', ['-std=c++17', '-O1', '-g', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=undefined',
    ...includes, 'fuzz/fuzz_parser.cc', '-o', fuzzer], 'fuzz target')
  : Promise.resolve(false);

// 1. C++ unit tests under ASan + UBSan (they also write the fuzz seeds).
if (await unitBuilt) {
  const args = ['--seeds', seeds];
  const tsv = corpusToTsv(path.join(root, 'test', 'corpus'));
  if (tsv !== null) {
    const file = path.join(work, 'corpus.tsv');
    fs.writeFileSync(file, tsv);
    args.push(file);
  } else {
    console.log('no shared corpus found under test/corpus: unit cases only');
  }
  const r = await run(unit, args, { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  let n = 0;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('PASS ')) { passed++; n++; }
    else if (line.startsWith('FAIL ')) { failed++; n++; failures.push(line.slice(5)); console.log(line); }
  }
  const summary = /RESULT (\d+) (\d+)/.exec(r.stdout);
  console.log(`unit: ${summary ? `${summary[1]} passed, ${summary[2]} failed` : 'no summary'} in ${r.secs.toFixed(1)} s`);
  if (r.status !== 0 && (!summary || summary[2] === '0')) {
    record('unit test process exits cleanly', false, `status ${r.status} ${r.signal ?? ''}\n${r.stderr.slice(-4000)}`);
  } else if (n === 0) {
    record('unit tests ran', false, r.stderr.slice(-2000));
  }
}

// 2. libFuzzer, seeded from the unit cases and the corpus; 3a. meanwhile, the sanitizer addon builds.
const asanAddon = skipAsanVitest ? Promise.resolve(null) : buildAsanAddon();
if (!haveFuzz) {
  record('fuzz target', false, 'clang++ and libFuzzer are missing: run `bash scripts/ensure-tools.sh --native-tests`');
} else if (await fuzzBuilt) {
  const live = path.join(work, 'fuzz-corpus');
  fs.mkdirSync(live);
  const r = await run(fuzzer, [`-max_total_time=${fuzzSeconds}`, `-dict=${path.join(root, 'fuzz', 'http.dict')}`,
    '-max_len=4096', '-timeout=20', '-rss_limit_mb=2048', '-print_final_stats=1', `-artifact_prefix=${work}${path.sep}`,
    live, seeds]);
  const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(r.stderr)?.[1] ?? '?';
  const ok = r.status === 0;
  record(`fuzz ${fuzzSeconds} s (head parser, chunked decoder, framer; whole/split/byte-by-byte/paused; scalar vs SIMD)`, ok,
    ok ? `${runs} runs in ${r.secs.toFixed(1)} s from ${fs.readdirSync(seeds).length} seeds`
      : `crashed after ${r.secs.toFixed(1)} s — artefacts in ${work}\n${r.stderr.split('\n').slice(-40).join('\n')}`);
}

// 3b. The vitest suites against the sanitizer build.
const addon = await asanAddon;
if (addon) await asanVitest(addon);

async function buildAsanAddon() {
  const dir = path.join(work, 'asan-addon');
  fs.mkdirSync(dir);
  for (const p of ['include', 'native']) {
    fs.cpSync(path.join(root, p), path.join(dir, p), { recursive: true, filter: (src) => path.basename(src) !== 'build' });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const gyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const nodedir = path.dirname(path.dirname(process.execPath));
  const b = await run(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=1'],
    { cwd: path.join(dir, 'native'), env: { ...process.env, JATO_SANITIZE: '1' } });
  if (b.status !== 0) {
    record('ASan/UBSan addon builds', false, b.stderr.slice(-3000));
    return null;
  }
  console.log(`built the ASan/UBSan addon in ${b.secs.toFixed(1)} s`);
  return path.join(dir, 'native', 'build', 'Release', 'jato_parser.node');
}

async function asanVitest(addonPath) {
  const gccLib = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
  const report = path.join(work, 'asan-vitest.json');
  const vitest = path.join(path.dirname(createRequire(path.join(root, 'package.json')).resolve('vitest/package.json')), 'vitest.mjs');
  const r = await run(process.execPath, [vitest, 'run', '--config', 'test/native/vitest.asan.config.ts'], {
    env: {
      ...process.env,
      JATO_PARSER_ADDON: addonPath,
      JATO_ASAN_REPORT: report,
      LD_PRELOAD: `${gccLib('libasan.so')}:${gccLib('libubsan.so')}`,
      ASAN_OPTIONS: 'detect_leaks=0',
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    },
  });
  let json;
  try { json = JSON.parse(fs.readFileSync(report, 'utf8')); } catch { json = undefined; }
  const out = `${r.stdout}\n${r.stderr}`;
  const sanitizerHit = /(AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer)/.test(out);
  if (!json || sanitizerHit || r.status !== 0) {
    record('vitest under ASan/UBSan', false, `status ${r.status}${sanitizerHit ? ' (sanitizer report)' : ''}\n${out.slice(-4000)}`);
    if (json) {
      passed += json.numPassedTests ?? 0;
      failed += json.numFailedTests ?? 0;
    }
    return;
  }
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  console.log(`vitest under ASan/UBSan: ${json.numPassedTests} passed, ${json.numFailedTests} failed in ${r.secs.toFixed(1)} s`);
}

fs.mkdirSync(path.join(root, '.test-results'), { recursive: true });
fs.writeFileSync(path.join(root, '.test-results', 'native.json'),
  `${JSON.stringify({ numPassedTests: passed, numFailedTests: failed })}\n`);
if (failed === 0) fs.rmSync(work, { recursive: true, force: true });
console.log(`native: ${passed} passed, ${failed} failed`);
if (failures.length > 0) console.log(`failures:\n  ${failures.join('\n  ')}`);
process.exit(failed === 0 ? 0 : 1);
