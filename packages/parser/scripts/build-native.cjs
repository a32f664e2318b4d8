#!/usr/bin/env node
// Builds jato's Node-API addons with node-gyp. The published packages have no install script: the
// prebuilt package (`@jato/binding-<platform>`) is the install path, and where none matches this is
// the explicit command that builds the addon locally. Its gyp file is `native/binding.gyp` (not at the
// package root, where npm and pnpm would run an implicit `node-gyp rebuild` on install); node-gyp runs
// in `native/` and the addon is copied to `build/Release/<target>.node`, where the loaders look.
//
//   node scripts/build-native.cjs --dev      development build of the package in the current
//                                            directory (the packages' `build` script); fails loudly.
//   jato-build-native [<package>...]         (this file as @jato/parser's bin; `jato build-native`
//                                            calls `buildAddons`) builds the installed packages' addons:
//                                            by default @jato/native-loop and @jato/parser, as resolved
//                                            from the current directory. Checks the toolchain first and
//                                            ends with one line per package; exit 1 when one failed.
//   JATO_SANITIZE=1    build with ASan+UBSan (see native/binding.gyp)
//   JATO_PREBUILT=1    build the portable binary of a prebuilt package (see prebuilt/glibcxx_compat.cc)
//   JATO_SKIP_BUILD=1  the explicit command behaves as if no toolchain were there
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** The gyp file of a package, relative to its root. */
const GYP_DIR = 'native';

/** `linux-x64-gnu`, `linux-x64-musl`, `darwin-arm64`, `win32-x64`: the prebuilt packages' suffix. */
function platformKey() {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`;
  const header = process.report && typeof process.report.getReport === 'function'
    ? process.report.getReport().header
    : {};
  return `linux-${process.arch}-${header.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}

/** What a package's build needs to know: its name, gyp directory, target and output file. */
function describe(root) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const gypDir = path.join(root, GYP_DIR);
  const gypfile = fs.readFileSync(path.join(gypDir, 'binding.gyp'), 'utf8');
  const target = /"target_name"\s*:\s*"([^"]+)"/.exec(gypfile)[1];
  return { root, name: pkg.name, gypDir, target, addon: path.join(root, 'build', 'Release', `${target}.node`) };
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
function findNodeGyp(root) {
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
  const npmBin = onPath('npm');
  const bundled = [
    npmCli && path.join(path.dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    npmBin && path.join(path.dirname(fs.realpathSync(npmBin)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
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

/**
 * Runs node-gyp configure + build in the package's `native/` directory and copies the addon to
 * `build/Release`. Returns undefined on success or a one-line reason. `quiet` keeps node-gyp's output
 * in `build/build-native.log` instead of the terminal.
 */
function gypBuild(info, quiet) {
  const gyp = findNodeGyp(info.root);
  if (!gyp) return 'node-gyp not found';
  const log = [];
  const logFile = path.join(info.root, 'build', 'build-native.log');
  // configure + build (not rebuild): incremental; the copy below replaces build/Release/<addon> in one
  // rename, so tests running meanwhile never find it missing.
  for (const step of [['configure', ...nodedirArgs()], ['build', '--jobs=2']]) {
    const r = spawnSync(gyp[0], [...gyp.slice(1), ...step], {
      cwd: info.gypDir,
      stdio: quiet ? 'pipe' : 'inherit',
      encoding: 'utf8',
      shell: process.platform === 'win32' && !gyp[0].endsWith('.exe'),
    });
    if (quiet) log.push(r.stdout || '', r.stderr || '');
    if (r.error || r.status !== 0) {
      if (quiet) {
        try {
          fs.mkdirSync(path.dirname(logFile), { recursive: true });
          fs.writeFileSync(logFile, log.join('\n'));
        } catch {
          // no log then
        }
      }
      const text = log.join('\n');
      const why = /not found: \S+/.exec(text) || /common\.gypi not found/.exec(text) || /No rule to make target '[^']+'/.exec(text) ||
        /\S+: No such file or directory/.exec(text) || /error: .*/.exec(text);
      const detail = why ? why[0] : r.error ? r.error.message : `exit code ${r.status}`;
      return `node-gyp ${step[0]} failed (${detail}${quiet ? `; log: ${logFile}` : ''})`;
    }
  }
  const built = path.join(info.gypDir, 'build', 'Release', `${info.target}.node`);
  if (!fs.existsSync(built)) return `node-gyp built no ${info.target}.node`;
  fs.mkdirSync(path.dirname(info.addon), { recursive: true });
  const tmp = `${info.addon}.${process.pid}.tmp`;
  fs.copyFileSync(built, tmp);
  fs.renameSync(tmp, info.addon);
  return undefined;
}

/**
 * The explicit local build of installed packages (`jato build-native`, `jato-build-native`): for each
 * package directory, checks the toolchain, builds, and prints one line (built, or what failed and that
 * the prebuilt/JS fallback stays). Never throws; returns true when every build succeeded.
 */
function buildAddons(dirs, log = console.log) {
  let ok = true;
  const missing = missingToolchain();
  for (const dir of dirs) {
    let name = dir;
    try {
      const info = describe(dir);
      name = info.name;
      const failure = missing.length > 0 ? `no toolchain to build it (missing: ${missing.join(', ')})` : gypBuild(info, true);
      if (failure === undefined) {
        log(`${name}: built ${path.relative(process.cwd(), info.addon) || info.addon} for ${platformKey()} (local build)`);
        continue;
      }
      ok = false;
      log(`${name}: the local build failed: ${failure}; ${fallback(name)}`);
    } catch (err) {
      ok = false;
      log(`${name}: the local build failed: ${err && err.message}; ${fallback(name)}`);
    }
  }
  return ok;
}

/** What a user keeps without the addon. */
function fallback(name) {
  return name === '@jato/parser'
    ? 'only @jato/parser/native needs it (the TypeScript parser and jato work without it)'
    : 'the JS transport stays in use';
}

/** The installed directories of `names`, resolved from `from` (packages not installed are skipped). */
function resolvePackages(names, from = process.cwd()) {
  // a require of a module in `from` (not this file's: @jato/parser would resolve itself by name)
  const resolve = require('node:module').createRequire(path.join(path.resolve(from), '[jato-build-native]')).resolve;
  const dirs = [];
  for (const name of names) {
    try {
      dirs.push(path.dirname(resolve(`${name}/package.json`)));
    } catch {
      // not installed there
    }
  }
  return dirs;
}

/** The development build of the package in the current directory (its `build` script). */
function devBuild() {
  const info = describe(process.cwd());
  const failure = gypBuild(info, false);
  if (failure !== undefined) {
    console.error(`${info.name}: ${failure}`);
    process.exitCode = 1;
  }
}

/** The bin: `jato-build-native [<package>...]`. */
function bin(args) {
  const names = args.filter((a) => !a.startsWith('-'));
  const wanted = names.length > 0 ? names : ['@jato/native-loop', '@jato/parser'];
  const dirs = resolvePackages(wanted);
  if (dirs.length === 0) {
    console.log(`jato-build-native: none of ${wanted.join(', ')} is installed here`);
    process.exitCode = 1;
    return;
  }
  if (!buildAddons(dirs)) process.exitCode = 1;
}

module.exports = { buildAddons, resolvePackages, platformKey, devBuild };

if (require.main === module) {
  // `--dev`: the packages' `build` script (the package in the current directory); otherwise the bin.
  if (process.argv.includes('--dev')) devBuild();
  else bin(process.argv.slice(2));
}
