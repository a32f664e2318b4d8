#!/usr/bin/env node
// test:native — runs the seeded C++ unit tests of the plain C++ parts (test/native/*.cc) and builds
// the addon with ASan+UBSan in a scratch directory (the normal build in build/Release is never
// touched), then runs the native integration tests, and @jato/core's boundary property test
// (test/boundary.property.test.ts, native transport), against it with the
// sanitizer runtimes preloaded into node. Writes .test-results/sanitize.json (vitest's JSON report:
// numPassedTests / numFailedTests) and exits non-zero on any failure or sanitizer report.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
const resultsDir = path.join(root, '.test-results');
const resultFile = path.join(resultsDir, 'sanitize.json');
fs.mkdirSync(resultsDir, { recursive: true });

let scratch;
function fail(message) {
  console.error(`test:native: ${message}`);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  fs.writeFileSync(resultFile, JSON.stringify({ numPassedTests: 0, numFailedTests: 1, error: message }));
  process.exit(1);
}

const libasan = execFileSync('gcc', ['-print-file-name=libasan.so']).toString().trim();
const libubsan = execFileSync('gcc', ['-print-file-name=libubsan.so']).toString().trim();
if (!path.isAbsolute(libasan) || !path.isAbsolute(libubsan)) fail('gcc does not know libasan/libubsan (install gcc)');

// 1. a scratch copy of the sources with every path resolved and the sanitizer switched on
scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jato-native-loop-sanitize-'));
try {
  // 0. the plain C++ parts (response ordering, direct socket writes, gather lists) under ASan+UBSan: seeded unit tests
  let unitPassed = 0;
  for (const name of ['order_test', 'socket_write_test', 'numbered_out_test', 'gather_write_test', 'heap_tuning_test']) {
    const bin = path.join(scratch, name);
    const cc = spawnSync('nice', ['g++', '-std=c++17', '-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined',
      '-fno-omit-frame-pointer', '-Wall', '-Wextra', '-Werror', `-I${path.join(root, 'native')}`,
      // unit_report.hpp: the PASS/FAIL/RESULT lines, shared with @jato/parser's C++ unit tests
      `-I${path.join(path.dirname(require.resolve('@jato/parser/package.json')), 'test', 'native')}`,
      path.join(root, 'test', 'native', `${name}.cc`), '-o', bin], { stdio: 'inherit' });
    if (cc.status !== 0) fail(`C++ unit tests do not compile (${name})`);
    const unit = spawnSync(bin, [], { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
    process.stdout.write(unit.stdout ?? '');
    process.stderr.write(unit.stderr ?? '');
    const unitResult = /RESULT (\d+) (\d+)/.exec(unit.stdout ?? '');
    if (unit.status !== 0 || !unitResult) fail(`C++ unit tests failed (${name}, exit ${unit.status})`);
    unitPassed += Number(unitResult[1]);
  }

  const gyp = JSON.parse(fs.readFileSync(path.join(root, 'native', 'binding.gyp'), 'utf8'));
  gyp.variables = {
    jato_sanitize: 1,
    jato_prebuilt: 0,
    jato_parser_include: path.join(path.dirname(require.resolve('@jato/parser/package.json')), 'include'),
    // include_dir is relative to the current directory
    jato_napi_include: path.resolve(require('node-addon-api').include_dir),
  };
  // the gyp file's paths are relative to native/, where it lives in the package and in the scratch copy
  fs.cpSync(path.join(root, 'native'), path.join(scratch, 'native'), { recursive: true, filter: (src) => path.basename(src) !== 'build' });
  fs.writeFileSync(path.join(scratch, 'native', 'binding.gyp'), JSON.stringify(gyp, null, 2));
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const nodedir = path.dirname(path.dirname(process.execPath));
  const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=2'], {
    cwd: path.join(scratch, 'native'),
    stdio: 'inherit',
  });
  if (build.status !== 0) fail('sanitizer build failed');
  const addon = path.join(scratch, 'native', 'build', 'Release', 'jato_native_loop.node');

  // 2. the native integration tests against that addon
  const vitest = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
  const logFile = path.join(scratch, 'sanitizer.log');
  const env = {
    ...process.env,
    JATO_NATIVE_LOOP_ADDON: addon,
    LD_PRELOAD: `${libasan}:${libubsan}`,
    ASAN_OPTIONS: `detect_leaks=0:abort_on_error=1:log_path=${logFile}`,
    UBSAN_OPTIONS: `print_stacktrace=1:halt_on_error=1:log_path=${logFile}`,
  };
  fs.rmSync(resultFile, { force: true });
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', '--config', path.join('test', 'sanitize', 'vitest.config.ts'), '-t', 'native'],
    { cwd: root, env, stdio: 'inherit' },
  );
  // 3. core's boundary property test (seeded hostile apps, pipelined) and its streaming disconnect
  //    cycles on the native transport
  const coreReport = path.join(scratch, 'core-property.json');
  const coreRun = spawnSync(
    process.execPath,
    [vitest, 'run', '--config', path.join('test', 'sanitize', 'core-property.config.ts'), '-t', 'native'],
    { cwd: root, env: { ...env, JATO_PROPERTY_SEEDS: '4', JATO_DISCONNECT_CYCLES: '200', JATO_SANITIZE_CORE_REPORT: coreReport }, stdio: 'inherit' },
  );
  const reports = fs.readdirSync(scratch).filter((f) => f.startsWith('sanitizer.log'));
  for (const r of reports) process.stderr.write(fs.readFileSync(path.join(scratch, r), 'utf8'));
  let summary;
  try {
    summary = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  } catch {
    fail(`no test report (vitest exit ${run.status})`);
  }
  try {
    const core = JSON.parse(fs.readFileSync(coreReport, 'utf8'));
    summary.numPassedTests = (summary.numPassedTests ?? 0) + (core.numPassedTests ?? 0);
    summary.numFailedTests = (summary.numFailedTests ?? 0) + (core.numFailedTests ?? 0);
    if (coreRun.status !== 0 && !(core.numFailedTests > 0)) summary.numFailedTests += 1;
  } catch {
    summary.numFailedTests = (summary.numFailedTests ?? 0) + 1;
    console.error(`test:native: no report from core's property test (vitest exit ${coreRun.status})`);
  }
  fs.writeFileSync(resultFile, JSON.stringify(summary));
  if (reports.length > 0) {
    summary.numFailedTests = (summary.numFailedTests ?? 0) + 1;
    summary.sanitizerReports = reports.length;
    fs.writeFileSync(resultFile, JSON.stringify(summary));
    fail(`${reports.length} sanitizer report(s), see above`);
  }
  summary.numPassedTests = (summary.numPassedTests ?? 0) + unitPassed;
  fs.writeFileSync(resultFile, JSON.stringify(summary));
  console.log(`test:native: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed under ASan+UBSan`);
  if (run.status !== 0 || summary.numFailedTests > 0) process.exit(1);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
