#!/usr/bin/env node
// The `test:native` runner of @jato/parser. One runner, a list of targets, each run in turn:
//   http: 1. C++ unit tests (test/native/unit.cc) built with -fsanitize=address,undefined; every case
//            whole, split at every offset and byte by byte, at every SIMD level; the shared corpus
//            (test/corpus/*.json, if present) runs through it too;
//         2. the libFuzzer target (fuzz/fuzz_parser.cc, clang++ -fsanitize=fuzzer,address,undefined),
//            seeded with every case above, for JATO_FUZZ_SECONDS (default 60) — a crash is a failed test;
//         3. the package's vitest tests (native, corpus, differential) against an ASan/UBSan build of the
//            addon, loaded through JATO_PARSER_ADDON with libasan/libubsan preloaded
//            (JATO_SKIP_ASAN_VITEST=1 skips).
//   ws:   1. C++ unit tests of jato/parser/ws_frame.hpp (test/native/ws_unit.cc): the shared case list
//            (test/ws-corpus) whole, byte by byte, split at every offset and in random paused pieces, then
//            20,000 seeded hostile streams (they also write the fuzz seeds);
//         2. the libFuzzer target fuzz/fuzz_ws_frame.cc, seeded with the case list, for
//            JATO_WS_FUZZ_SECONDS (default 30).
// A target's two compiles run side by side, and the sanitizer addon builds while the fuzzer runs (2 cores).
// Each target writes its report .test-results/<report> {numPassedTests, numFailedTests}; the process
// exits 1 on any failure. `node test/native/run.mjs ws` runs only the named targets.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wsCorpusToTsv } from '../ws-corpus/load.mjs';
import { corpusToTsv } from './corpus-tsv.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * What differs between the parsers under test. `cases(work)` writes the case file the unit binary reads
 * and returns it (null: no case file, unit cases only).
 */
const targets = [
  {
    name: 'http',
    label: '',
    report: 'native.json',
    tmpPrefix: 'jato-parser-native-',
    includes: ['-Iinclude', '-Inative', '-Itest/native'],
    unit: 'test/native/unit.cc',
    fuzz: 'fuzz/fuzz_parser.cc',
    dict: 'http.dict',
    fuzzSeconds: Number(process.env.JATO_FUZZ_SECONDS ?? 60),
    fuzzWhat: 'head parser, chunked decoder, framer; whole/split/byte-by-byte/paused; scalar vs SIMD',
    asanVitest: process.env.JATO_SKIP_ASAN_VITEST !== '1',
    cases(work) {
      const tsv = corpusToTsv(path.join(root, 'test', 'corpus'));
      if (tsv === null) {
        console.log('no shared corpus found under test/corpus: unit cases only');
        return null;
      }
      const file = path.join(work, 'corpus.tsv');
      fs.writeFileSync(file, tsv);
      return file;
    },
  },
  {
    name: 'ws',
    label: 'ws ',
    report: 'native-ws.json',
    tmpPrefix: 'jato-parser-ws-',
    includes: ['-Iinclude'],
    unit: 'test/native/ws_unit.cc',
    fuzz: 'fuzz/fuzz_ws_frame.cc',
    dict: 'ws.dict',
    fuzzSeconds: Number(process.env.JATO_WS_FUZZ_SECONDS ?? 30),
    fuzzWhat: 'frame parser whole vs random paused pieces',
    asanVitest: false,
    cases(work) {
      const file = path.join(work, 'ws-cases.tsv');
      fs.writeFileSync(file, wsCorpusToTsv());
      return file;
    },
  },
];

const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const haveFuzz = have('clang++') && fs.existsSync('/usr/lib/llvm-14/lib/libFuzzer.a');
const flags = ['-std=c++17', '-O1', '-g', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer'];

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

/** Runs one target's steps; resolves with its tally. */
async function runTarget(t) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), t.tmpPrefix));
  const tally = { passed: 0, failed: 0, failures: [] };
  const record = (name, ok, detail = '') => {
    if (ok) tally.passed++;
    else {
      tally.failed++;
      tally.failures.push(`${name}${detail ? `: ${detail}` : ''}`);
    }
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  };
  const compile = async (compiler, args, what) => {
    const r = await run(compiler, args);
    if (r.status !== 0) {
      record(`${what} compiles`, false, r.stderr.slice(0, 4000));
      return false;
    }
    console.log(`built ${what} in ${r.secs.toFixed(1)} s`);
    return true;
  };

  const seeds = path.join(work, 'seeds');
  fs.mkdirSync(seeds);
  const unit = path.join(work, path.basename(t.unit, '.cc'));
  const fuzzer = path.join(work, path.basename(t.fuzz, '.cc'));
  const unitBuilt = compile(have('g++') ? 'g++' : 'clang++', [...flags, '-fsanitize=address,undefined', '-Wall', '-Wextra',
    '-Werror', ...t.includes, t.unit, '-o', unit], `${t.label}unit tests`);
  const fuzzBuilt = haveFuzz
    ? compile('clang++', [...flags, '-fsanitize=fuzzer,address,undefined', ...t.includes, t.fuzz, '-o', fuzzer],
      `${t.label}fuzz target`)
    : Promise.resolve(false);

  // 1. C++ unit tests under ASan + UBSan (they also write the fuzz seeds). The binary prints PASS/FAIL
  // lines and `RESULT passed failed`; without that line (a crash) the PASS/FAIL lines seen are counted.
  if (await unitBuilt) {
    const cases = t.cases(work);
    const r = await run(unit, ['--seeds', seeds, ...(cases === null ? [] : [cases])],
      { env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
    const lines = r.stdout.split('\n');
    const fails = lines.filter((l) => l.startsWith('FAIL ')).map((l) => l.slice(5));
    const summary = /RESULT (\d+) (\d+)/.exec(r.stdout);
    tally.passed += summary ? Number(summary[1]) : lines.filter((l) => l.startsWith('PASS ')).length;
    tally.failed += summary ? Number(summary[2]) : fails.length;
    tally.failures.push(...fails);
    for (const f of fails) console.log(`FAIL ${f}`);
    console.log(`${t.label}unit: ${summary ? `${summary[1]} passed, ${summary[2]} failed` : 'no summary'} in ${r.secs.toFixed(1)} s`);
    if (r.status !== 0 && (!summary || summary[2] === '0')) {
      record(`${t.label}unit test process exits cleanly`, false, `status ${r.status} ${r.signal ?? ''}\n${r.stderr.slice(-4000)}`);
    } else if (!summary) {
      record(`${t.label}unit tests ran`, false, r.stderr.slice(-2000));
    }
  }

  // 2. libFuzzer, seeded from the unit cases; 3a. meanwhile, the sanitizer addon builds.
  const asanAddon = t.asanVitest ? buildAsanAddon(work, record) : Promise.resolve(null);
  if (!haveFuzz) {
    record(`${t.label}fuzz target`, false, 'clang++ and libFuzzer are missing: run `bash scripts/ensure-tools.sh --native-tests`');
  } else if (await fuzzBuilt) {
    const live = path.join(work, 'fuzz-corpus');
    fs.mkdirSync(live);
    const r = await run(fuzzer, [`-max_total_time=${t.fuzzSeconds}`, `-dict=${path.join(root, 'fuzz', t.dict)}`,
      '-max_len=4096', '-timeout=20', '-rss_limit_mb=2048', '-print_final_stats=1', `-artifact_prefix=${work}${path.sep}`,
      live, seeds]);
    const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(r.stderr)?.[1] ?? '?';
    const ok = r.status === 0;
    record(`${t.label}fuzz ${t.fuzzSeconds} s (${t.fuzzWhat})`, ok,
      ok ? `${runs} runs in ${r.secs.toFixed(1)} s from ${fs.readdirSync(seeds).length} seeds`
        : `crashed after ${r.secs.toFixed(1)} s — artefacts in ${work}\n${r.stderr.split('\n').slice(-40).join('\n')}`);
  }

  // 3b. The vitest suites against the sanitizer build.
  const addon = await asanAddon;
  if (addon) await asanVitest(work, addon, record, tally);

  fs.mkdirSync(path.join(root, '.test-results'), { recursive: true });
  fs.writeFileSync(path.join(root, '.test-results', t.report),
    `${JSON.stringify({ numPassedTests: tally.passed, numFailedTests: tally.failed })}\n`);
  if (tally.failed === 0) fs.rmSync(work, { recursive: true, force: true });
  console.log(`native ${t.name}: ${tally.passed} passed, ${tally.failed} failed`);
  return tally;
}

async function buildAsanAddon(work, record) {
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

async function asanVitest(work, addonPath, record, tally) {
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
  if (json) {
    tally.passed += json.numPassedTests ?? 0;
    tally.failed += json.numFailedTests ?? 0;
  }
  if (!json || sanitizerHit || r.status !== 0) {
    record('vitest under ASan/UBSan', false, `status ${r.status}${sanitizerHit ? ' (sanitizer report)' : ''}\n${out.slice(-4000)}`);
    return;
  }
  console.log(`vitest under ASan/UBSan: ${json.numPassedTests} passed, ${json.numFailedTests} failed in ${r.secs.toFixed(1)} s`);
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !targets.some((t) => t.name === n));
if (unknown.length > 0) {
  console.error(`unknown target ${unknown.join(', ')}: one of ${targets.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
let failed = 0;
const failures = [];
for (const t of targets.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
  const tally = await runTarget(t);
  failed += tally.failed;
  failures.push(...tally.failures);
}
if (failures.length > 0) console.log(`failures:\n  ${failures.join('\n  ')}`);
process.exit(failed === 0 ? 0 : 1);
