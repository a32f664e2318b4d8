#!/usr/bin/env node
// Builds (incrementally) the Node-API addon of the package in the current directory (the package
// scripts of @jato/parser and @jato/native-loop run it there) with node-gyp against the running Node's
// own headers (`--nodedir` from process.execPath), so nothing is downloaded. @jato/native-loop reaches
// it as `@jato/parser/build-native`.
//   --if-missing   skip when build/Release already holds the addon (used by the install script)
//   JATO_SANITIZE=1  build with ASan+UBSan into build/Release as well (see binding.gyp)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = process.cwd();
const gypfile = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
const target = /"target_name"\s*:\s*"([^"]+)"/.exec(gypfile)[1];
const addon = path.join(root, 'build', 'Release', `${target}.node`);

if (process.argv.includes('--if-missing') && fs.existsSync(addon)) process.exit(0);

let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
} catch {
  gyp = process.env.npm_config_node_gyp; // npm's bundled node-gyp during `npm install`
}
if (!gyp) {
  console.error('@jato: node-gyp not found; install it or set npm_config_node_gyp');
  process.exit(1);
}
const nodedir = path.dirname(path.dirname(process.execPath));
// configure + build (not rebuild): incremental, and build/Release keeps the previous addon until the
// linker replaces it, so tests running meanwhile never find it missing.
for (const step of [['configure', `--nodedir=${nodedir}`], ['build', '--jobs=2']]) {
  execFileSync(process.execPath, [gyp, ...step], { cwd: root, stdio: 'inherit' });
}
