#!/usr/bin/env node
// The `test:native` runner of @jato/parser:
//   1. C++ unit tests (test/native/unit.cc) built with g++ -fsanitize=address,undefined; every case
//      whole, split at every offset and byte by byte, at every SIMD level; the shared corpus
//      (test/corpus/*.json, if present) runs through it too;
//   2. the libFuzzer target (fuzz/fuzz_parser.cc, clang++ -fsanitize=fuzzer,address,undefined),
//      seeded with every case above, for JATO_FUZZ_SECONDS (default 60) — a crash is a failed test;
//   3. the addon's vitest tests (test/native/*.test.ts) against an ASan/UBSan build of the addon,
//      loaded through JATO_PARSER_ADDON with libasan/libubsan preloaded (JATO_SKIP_ASAN_VITEST=1 skips).
// Writes .test-results/native.json {numPassedTests, numFailedTests} and exits 1 on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusToTsv } from './corpus-tsv.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jato-parser-native-'));
const fuzzSeconds = Number(process.env.JATO_FUZZ_SECONDS ?? 60);
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

function compile(compiler, args, label) {
  const t0 = Date.now();
  const r = spawnSync('nice', [compiler, ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    record(`${label} compiles`, false, (r.stderr || r.error?.message || '').slice(0, 4000));
    return false;
  }
  console.log(`built ${label} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

const includes = ['-Iinclude', '-Inative', '-Itest/native'];
const seeds = path.join(work, 'seeds');
fs.mkdirSync(seeds);

// 1. C++ unit tests under ASan + UBSan.
const unit = path.join(work, 'unit');
const cxx = have('g++') ? 'g++' : 'clang++';
if (compile(cxx, ['-std=c++17', '-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined',
  '-fno-omit-frame-pointer', '-Wall', '-Wextra', '-Werror', ...includes, 'test/native/unit.cc', '-o', unit], 'unit tests')) {
  const args = ['--seeds', seeds];
  const tsv = corpusToTsv(path.join(root, 'test', 'corpus'));
  if (tsv !== null) {
    const file = path.join(work, 'corpus.tsv');
    fs.writeFileSync(file, tsv);
    args.push(file);
  } else {
    console.log('no shared corpus found under test/corpus: unit cases only');
  }
  const r = spawnSync(unit, args, { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  const out = r.stdout ?? '';
  let n = 0;
  for (const line of out.split('\n')) {
    if (line.startsWith('PASS ')) { passed++; n++; }
    else if (line.startsWith('FAIL ')) { failed++; n++; failures.push(line.slice(5)); console.log(line); }
  }
  const summary = /RESULT (\d+) (\d+)/.exec(out);
  console.log(`unit: ${summary ? `${summary[1]} passed, ${summary[2]} failed` : 'no summary'}`);
  if (r.status !== 0 && (!summary || summary[2] === '0')) {
    record('unit test process exits cleanly', false, `status ${r.status} ${r.signal ?? ''}\n${(r.stderr ?? '').slice(0, 4000)}`);
  } else if (n === 0) {
    record('unit tests ran', false, (r.stderr ?? '').slice(0, 2000));
  }
}

// 2. libFuzzer, seeded from the unit cases and the corpus.
const fuzzer = path.join(work, 'fuzz_parser');
if (!have('clang++') || !fs.existsSync('/usr/lib/llvm-14/lib/libFuzzer.a') && !have('clang++-14')) {
  record('fuzz target', false, 'clang++ and libFuzzer are missing: run `bash scripts/ensure-tools.sh --native-tests`');
} else if (compile('clang++', ['-std=c++17', '-O1', '-g', '-fsanitize=fuzzer,address,undefined',
  '-fno-sanitize-recover=undefined', ...includes, 'fuzz/fuzz_parser.cc', '-o', fuzzer], 'fuzz target')) {
  const live = path.join(work, 'fuzz-corpus');
  fs.mkdirSync(live);
  const t0 = Date.now();
  const r = spawnSync('nice', [fuzzer, `-max_total_time=${fuzzSeconds}`, `-dict=${path.join(root, 'fuzz', 'http.dict')}`,
    '-max_len=4096', '-timeout=20', '-rss_limit_mb=2048', '-print_final_stats=1',
    `-artifact_prefix=${work}${path.sep}`, live, seeds], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const err = r.stderr ?? '';
  const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(err)?.[1] ?? '?';
  const seedCount = fs.readdirSync(seeds).length;
  const ok = r.status === 0;
  record(`fuzz ${fuzzSeconds} s (head parser, chunked decoder, stream; whole/split/byte-by-byte; scalar vs SIMD)`, ok,
    ok ? `${runs} runs in ${secs} s from ${seedCount} seeds` :
      `crashed after ${secs} s — artefacts in ${work}\n${err.split('\n').slice(-40).join('\n')}`);
}

// 3. The addon's vitest tests against an ASan/UBSan build.
if (process.env.JATO_SKIP_ASAN_VITEST !== '1') asanVitest();

function asanVitest() {
  const dir = path.join(work, 'asan-addon');
  fs.mkdirSync(dir);
  for (const p of ['binding.gyp', 'include', 'native']) fs.cpSync(path.join(root, p), path.join(dir, p), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const gyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const nodedir = path.dirname(path.dirname(process.execPath));
  const t0 = Date.now();
  const b = spawnSync('nice', [process.execPath, gyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=2'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, JATO_SANITIZE: '1' } });
  if (b.status !== 0) {
    record('ASan/UBSan addon builds', false, (b.stderr ?? '').slice(-3000));
    return;
  }
  console.log(`built the ASan/UBSan addon in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const gccLib = (name) => execFileSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
  const report = path.join(work, 'asan-vitest.json');
  const vitest = path.join(path.dirname(createRequire(path.join(root, 'package.json')).resolve('vitest/package.json')), 'vitest.mjs');
  const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'test/native/vitest.asan.config.ts'], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 << 20,
    env: {
      ...process.env,
      JATO_PARSER_ADDON: path.join(dir, 'build', 'Release', 'jato_parser.node'),
      LD_PRELOAD: `${gccLib('libasan.so')}:${gccLib('libubsan.so')}`,
      ASAN_OPTIONS: 'detect_leaks=0',
      JATO_ASAN_REPORT: report,
      UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    },
  });
  let json;
  try { json = JSON.parse(fs.readFileSync(report, 'utf8')); } catch { json = undefined; }
  const sanitizerHit = /(AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer)/.test(`${r.stdout}${r.stderr}`);
  if (!json || sanitizerHit || r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
    record('addon vitest under ASan/UBSan', false, `status ${r.status}${sanitizerHit ? ' (sanitizer report)' : ''}\n${out.slice(-4000)}`);
    if (json) passed += json.numPassedTests ?? 0;
    return;
  }
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  console.log(`addon vitest under ASan/UBSan: ${json.numPassedTests} passed, ${json.numFailedTests} failed`);
}

fs.mkdirSync(path.join(root, '.test-results'), { recursive: true });
fs.writeFileSync(path.join(root, '.test-results', 'native.json'),
  `${JSON.stringify({ numPassedTests: passed, numFailedTests: failed })}\n`);
if (failed === 0) fs.rmSync(work, { recursive: true, force: true });
console.log(`native: ${passed} passed, ${failed} failed`);
if (failures.length > 0) console.log(`failures:\n  ${failures.join('\n  ')}`);
process.exit(failed === 0 ? 0 : 1);
