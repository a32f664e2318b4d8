import { createRequire } from 'node:module';
import path from 'node:path';

type BuildNative = typeof import('@jato/parser/build-native');

/**
 * `jato build-native [--parser]`: builds the native server addon (@jato/native-loop's; with
 * `--parser` also @jato/parser's) on this machine, for platforms with no prebuilt package. The
 * packages have no install script; this is the explicit local build (needs make, a C++ compiler and
 * python3). One line per addon; exit code 1 when a build failed (the JS transport stays in use).
 */
export function buildNative(options: { parser: boolean }): number {
  const require = createRequire(import.meta.url);
  const names = ['@jato/native-loop', ...(options.parser ? ['@jato/parser'] : [])];
  const dirs = names.map((name) => path.dirname(require.resolve(`${name}/package.json`)));
  const { buildAddons } = require('@jato/parser/build-native') as BuildNative;
  return buildAddons(dirs, (line) => process.stdout.write(`jato: ${line}\n`)) ? 0 : 1;
}
