#!/usr/bin/env node
// Release step: builds this machine's prebuilt addons (jato_native_loop.node, jato_parser.node) into
// packages/bindings/<platform>/ (or --out DIR), the way the release pipeline runs it on each platform
// (docs/prebuilt-binaries.md). The build runs in a scratch copy laid out like an npm install, so the
// workspace's own build/ is untouched, with JATO_PREBUILT=1 (see packages/parser/prebuilt/). On Linux
// it then checks the baseline: no glibc symbol newer than 2.17, no libstdc++ symbol newer than
// GLIBCXX_3.4.21 / CXXABI_1.3.9 (GCC 5), so the binary loads wherever Node >= 20 runs.
//   node scripts/build-prebuilt.mjs [--out DIR] [--cache DIR]
// --cache DIR reuses a previous build of the same sources (keyed by their hash).
// Note: the loader prefers a prebuilt package to build/Release, also in this workspace (the binding
// packages are linked there): remove packages/bindings/*/*.node after publishing, or C++ changes
// will not be seen by the tests. The packaging tests build into a temp copy (--out).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'packages', 'native-loop', 'package.json'));
const ADDONS = ['jato_native_loop.node', 'jato_parser.node'];
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? path.resolve(process.argv[i + 1]) : undefined;
};

function platformKey() {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`;
  return `linux-${process.arch}-${process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}

/** The files of a package the native build reads. */
function sources(pkg) {
  const dir = path.join(root, 'packages', pkg);
  const out = [];
  const walk = (rel) => {
    const abs = path.join(dir, rel);
    if (!fs.existsSync(abs) || path.basename(rel) === 'build') return; // native/build: a local build's output
    if (fs.statSync(abs).isDirectory()) for (const e of fs.readdirSync(abs).sort()) walk(path.join(rel, e));
    else out.push(rel);
  };
  for (const rel of ['package.json', 'native', 'include', 'prebuilt', 'scripts']) walk(rel);
  return out;
}

function sourceHash() {
  const h = createHash('sha256');
  h.update(`${platformKey()} ${process.versions.modules}`);
  for (const pkg of ['parser', 'native-loop']) {
    for (const rel of sources(pkg)) h.update(rel).update(fs.readFileSync(path.join(root, 'packages', pkg, rel)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Versions a shared object requires, e.g. { GLIBC: '2.14', GLIBCXX: '3.4.21', CXXABI: '1.3.9' }. */
function requiredVersions(file) {
  let text;
  try {
    text = execFileSync('objdump', ['-T', file], { encoding: 'utf8' });
  } catch {
    return undefined; // no binutils: skip the check
  }
  const max = {};
  for (const [, lib, ver] of text.matchAll(/\b(GLIBC|GLIBCXX|CXXABI)_([0-9.]+)/g)) {
    if (!max[lib] || cmp(ver, max[lib]) > 0) max[lib] = ver;
  }
  return max;
}

function cmp(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

const BASELINE = { GLIBC: '2.17', GLIBCXX: '3.4.21', CXXABI: '1.3.9' };

function build(outDir) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jato-prebuilt-'));
  try {
    const nm = path.join(scratch, 'node_modules');
    for (const pkg of ['parser', 'native-loop']) {
      for (const rel of sources(pkg)) {
        const to = path.join(nm, '@jato', pkg, rel);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(path.join(root, 'packages', pkg, rel), to);
      }
    }
    fs.symlinkSync(path.dirname(require.resolve('node-addon-api/package.json')), path.join(nm, 'node-addon-api'), 'dir');
    const env = { ...process.env, JATO_PREBUILT: '1' };
    const script = path.join(nm, '@jato', 'parser', 'scripts', 'build-native.cjs');
    const gyp = createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
    for (const [pkg, file] of [['parser', 'jato_parser.node'], ['native-loop', 'jato_native_loop.node']]) {
      const cwd = path.join(nm, '@jato', pkg);
      execFileSync(process.execPath, [script, '--dev'], { cwd, env: { ...env, npm_config_node_gyp: gyp }, stdio: ['ignore', 'ignore', 'inherit'] });
      fs.mkdirSync(outDir, { recursive: true });
      fs.copyFileSync(path.join(cwd, 'build', 'Release', file), path.join(outDir, file));
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const outDir = arg('--out') ?? path.join(root, 'packages', 'bindings', platformKey());
const cacheRoot = arg('--cache');
const cacheDir = cacheRoot && path.join(cacheRoot, sourceHash());
if (cacheDir && ADDONS.every((f) => fs.existsSync(path.join(cacheDir, f)))) {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of ADDONS) fs.copyFileSync(path.join(cacheDir, f), path.join(outDir, f));
} else {
  build(outDir);
  if (cacheDir) {
    fs.mkdirSync(cacheDir, { recursive: true });
    for (const f of ADDONS) fs.copyFileSync(path.join(outDir, f), path.join(cacheDir, f));
  }
}
if (process.platform === 'linux' && platformKey().endsWith('-gnu')) {
  for (const f of ADDONS) {
    const need = requiredVersions(path.join(outDir, f));
    if (!need) continue;
    for (const [lib, max] of Object.entries(BASELINE)) {
      if (need[lib] && cmp(need[lib], max) > 0) {
        console.error(`build-prebuilt: ${f} needs ${lib}_${need[lib]}, above the baseline ${lib}_${max}`);
        process.exit(1);
      }
    }
    console.log(`build-prebuilt: ${f} needs ${Object.entries(need).map(([l, v]) => `${l}_${v}`).join(' ')}`);
  }
}
console.log(`build-prebuilt: ${platformKey()} addons in ${path.relative(process.cwd(), outDir) || '.'}`);
