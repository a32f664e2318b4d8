/**
 * The other runtimes the packaging tests run the installed package under, each installed from the npm
 * registry (`node`, `bun` and `deno` packages) once into ~/.cache/jato/runtimes and reused.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from './cache.js';
import { npm } from './harness.js';

/** The pinned runtimes: npm package, executable (under node_modules/.bin) and how it runs the example. */
export const RUNTIMES = {
  'node 22': { pkg: 'node@22.23.3', bin: 'node', args: ['example.mjs'] },
  'node 24': { pkg: 'node@24.21.0', bin: 'node', args: ['example.mjs'] },
  bun: { pkg: 'bun@1.4.4', bin: 'bun', args: ['example.mjs'] },
  deno: { pkg: 'deno@2.9.6', bin: 'deno', args: ['run', '-A', 'example.mjs'] },
} as const;

/**
 * `file` (a path inside the install, e.g. `node_modules/.bin/node`) of npm package `pkg`
 * (`name@version`), installed into the runtimes cache on first use.
 */
export function installedRuntime(pkg: string, file: string): string {
  const dir = path.join(cacheDir('runtimes'), pkg.replace('@', '-'));
  const exe = path.join(dir, file);
  if (!existsSync(exe)) {
    writeFileSync(path.join(cacheDir('runtimes'), 'package.json'), '{"private":true}\n');
    const r = npm(cacheDir('runtimes'), ['install', '--prefix', dir, '--no-save', pkg]);
    if (r.status !== 0 || !existsSync(exe)) throw new Error(`installing ${pkg} failed:\n${r.stderr}`);
  }
  return exe;
}

/** The executable of one of `RUNTIMES`. */
export function runtime(name: keyof typeof RUNTIMES): string {
  const { pkg, bin } = RUNTIMES[name];
  return installedRuntime(pkg, path.join('node_modules', '.bin', bin));
}

/** The `node` command (the npm package's `.bin` link) of Node `version`. */
export function nodeFromNpm(version: string): string {
  return installedRuntime(`node@${version}`, path.join('node_modules', '.bin', 'node'));
}
