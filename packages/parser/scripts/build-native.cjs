#!/usr/bin/env node
// Builds the Node-API addon of the package in the current directory (@jato/parser and
// @jato/native-loop run it there; native-loop reaches it as `@jato/parser/build-native`).
//
//   (no flag)   development build: node-gyp configure + build (incremental); fails loudly.
//   --install   what a package's `install` script runs: NEVER fails. It does nothing when the
//               platform's prebuilt package (`@jato/binding-<platform>`) or a previous build is there,
//               builds only when a toolchain is present, and otherwise (or when the build fails)
//               prints one line: what failed, that the JS transport is used, the command that
//               rebuilds. The outcome is kept in build/install-status.json, which the runtime
//               warning quotes (npm hides install-script output).
//   JATO_SANITIZE=1    build with ASan+UBSan (see binding.gyp)
//   JATO_PREBUILT=1    build the portable binary of a prebuilt package (see prebuilt/glibcxx_compat.cc)
//   JATO_SKIP_BUILD=1  --install never compiles (as if no toolchain were there)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = process.cwd();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const gypfile = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
const target = /"target_name"\s*:\s*"([^"]+)"/.exec(gypfile)[1];
const buildDir = path.join(root, 'build');
const addon = path.join(buildDir, 'Release', `${target}.node`);
const statusFile = path.join(buildDir, 'install-status.json');
const install = process.argv.includes('--install') || process.argv.includes('--if-missing');

/** `linux-x64-gnu`, `linux-x64-musl`, `darwin-arm64`, `win32-x64`: the prebuilt packages' suffix. */
function platformKey() {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`;
  const header = process.report && typeof process.report.getReport === 'function'
    ? process.report.getReport().header
    : {};
  return `linux-${process.arch}-${header.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}

/** The installed prebuilt addon for this platform, or undefined. */
function prebuilt() {
  const name = `@jato/binding-${platformKey()}`;
  try {
    const dir = path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
    const file = path.join(dir, `${target}.node`);
    return fs.existsSync(file) ? { name, file } : undefined;
  } catch {
    return undefined;
  }
}

function onPath(cmd) {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      try {
        fs.accessSync(path.join(dir, cmd + ext), fs.constants.X_OK);
        return path.join(dir, cmd + ext);
      } catch {
        // next
      }
    }
  }
  return undefined;
}

/** What the local build lacks on this machine (empty when a toolchain seems present). */
function missingToolchain() {
  if (process.env.JATO_SKIP_BUILD === '1') return ['JATO_SKIP_BUILD=1'];
  if (process.platform === 'win32') return []; // node-gyp finds Visual Studio itself
  const missing = [];
  if (!onPath('make')) missing.push('make');
  const cxx = process.env.CXX ? process.env.CXX.split(' ')[0] : undefined;
  if (cxx ? !(path.isAbsolute(cxx) ? fs.existsSync(cxx) : onPath(cxx)) : !['c++', 'g++', 'clang++'].some(onPath)) {
    missing.push('a C++ compiler');
  }
  if (!process.env.PYTHON && !onPath('python3') && !onPath('python')) missing.push('python3');
  return missing;
}

/**
 * node-gyp the way the package manager provides it: npm's `npm_config_node_gyp`, a node-gyp
 * installed next to the package, `node-gyp` on PATH (pnpm's node-gyp-bin), or npm's bundled copy.
 * Returns the argv prefix that runs it.
 */
function findNodeGyp() {
  const env = process.env.npm_config_node_gyp;
  if (env && fs.existsSync(env)) return /\.[cm]?js$/.test(env) ? [process.execPath, env] : [env];
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })];
  } catch {
    // not installed beside the package
  }
  const bin = onPath('node-gyp');
  if (bin) return [bin];
  const npmCli = process.env.npm_execpath;
  const bundled = [
    npmCli && path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const file of bundled) if (file && fs.existsSync(file)) return [process.execPath, file];
  return undefined;
}

/**
 * `--nodedir=<dir>` only where the running Node keeps its headers (`<dir>/include/node/common.gypi`):
 * its install prefix (system packages, official tarballs) or, for the npm `node` package, whose
 * bin/node is a copy, the `node-<platform>-<arch>` package beside it. Nothing is downloaded then.
 * Otherwise node-gyp's own header lookup (its cache, or a download) decides.
 */
function nodedirArgs() {
  const prefix = path.dirname(path.dirname(process.execPath));
  const dirs = [prefix, path.join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`)];
  const found = dirs.find((dir) => fs.existsSync(path.join(dir, 'include', 'node', 'common.gypi')));
  return found ? [`--nodedir=${found}`] : [];
}

function rebuildCommand() {
  const ua = process.env.npm_config_user_agent || '';
  if (ua.startsWith('pnpm')) return `pnpm approve-builds && pnpm rebuild ${pkg.name}`;
  if (ua.startsWith('yarn')) return `yarn rebuild ${pkg.name}`;
  return `npm rebuild ${pkg.name} --foreground-scripts`;
}

/** What a user gets without the addon. */
function fallback() {
  return pkg.name === '@jato/parser'
    ? 'only @jato/parser/native needs it (the TypeScript parser and jato work without it)'
    : 'the JS transport will be used';
}

function writeStatus(status) {
  try {
    fs.mkdirSync(buildDir, { recursive: true });
    fs.writeFileSync(statusFile, JSON.stringify(status, null, 2) + '\n');
  } catch {
    // a read-only install still works: the warning then lacks the install's reason
  }
}

/** Runs node-gyp configure + build; returns undefined on success or a one-line reason. */
function gypBuild(quiet) {
  const gyp = findNodeGyp();
  if (!gyp) return 'node-gyp not found';
  const log = [];
  // configure + build (not rebuild): incremental, and build/Release keeps the previous addon until the
  // linker replaces it, so tests running meanwhile never find it missing.
  for (const step of [['configure', ...nodedirArgs()], ['build', '--jobs=2']]) {
    const r = spawnSync(gyp[0], [...gyp.slice(1), ...step], {
      cwd: root,
      stdio: quiet ? 'pipe' : 'inherit',
      encoding: 'utf8',
      shell: process.platform === 'win32' && !gyp[0].endsWith('.exe'),
    });
    if (quiet) log.push(r.stdout || '', r.stderr || '');
    if (r.error || r.status !== 0) {
      if (quiet) {
        try {
          fs.mkdirSync(buildDir, { recursive: true });
          fs.writeFileSync(path.join(buildDir, 'install-build.log'), log.join('\n'));
        } catch {
          // no log then
        }
      }
      const text = log.join('\n');
      const why = /not found: \S+/.exec(text) || /common\.gypi not found/.exec(text) || /No rule to make target '[^']+'/.exec(text) ||
        /\S+: No such file or directory/.exec(text) || /error: .*/.exec(text);
      const detail = why ? why[0] : r.error ? r.error.message : `exit code ${r.status}`;
      return `node-gyp ${step[0]} failed (${detail}${quiet ? '; log: build/install-build.log' : ''})`;
    }
  }
  return undefined;
}

function installMain() {
  const found = prebuilt();
  if (found) {
    writeStatus({ origin: 'prebuilt', package: found.name });
    return;
  }
  if (fs.existsSync(addon)) return; // built before (workspace, or `npm rebuild` with nothing to do)
  const missing = missingToolchain();
  const failure = missing.length > 0
    ? `no prebuilt addon for ${platformKey()} and no toolchain to build one (missing: ${missing.join(', ')})`
    : gypBuild(true);
  if (failure === undefined) {
    writeStatus({ origin: 'local build', platform: platformKey() });
    return;
  }
  const reason = missing.length > 0 ? failure : `no prebuilt addon for ${platformKey()} and the local build failed: ${failure}`;
  const rebuild = rebuildCommand();
  writeStatus({ origin: 'none', platform: platformKey(), reason, rebuild });
  console.warn(`${pkg.name}: ${reason}; ${fallback()}. To build it: ${rebuild}`);
}

if (install) {
  try {
    installMain();
  } catch (err) {
    console.warn(`${pkg.name}: native addon setup failed (${err && err.message}); ${fallback()}. To build it: ${rebuildCommand()}`);
  }
  process.exit(0);
}
const failure = gypBuild(false);
if (failure !== undefined) {
  console.error(`${pkg.name}: ${failure}`);
  process.exit(1);
}
