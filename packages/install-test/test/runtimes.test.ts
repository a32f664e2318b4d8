/**
 * The installed README example (npm install of the tarballs with the prebuilt package) under every
 * runtime: Node 20 (this one), Node 22 and 24 (the npm `node` package's binaries), Bun (npm `bun`) and
 * Deno (npm `deno`, `deno run -A`). Node serves on the native transport; Bun and Deno are detected up
 * front and serve on the JS transport with one warning. Runtimes are installed once into
 * ~/.cache/jato/runtimes and reused.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { cacheDir } from './cache.js';
import { cleanEnv, linesWith, makeProject, npm, removeScratch, runExample } from './harness.js';

afterAll(removeScratch);

const RUNTIMES = {
  'node 22': { pkg: 'node@22.23.3', bin: 'node', args: ['example.mjs'] },
  'node 24': { pkg: 'node@24.21.0', bin: 'node', args: ['example.mjs'] },
  bun: { pkg: 'bun@1.4.4', bin: 'bun', args: ['example.mjs'] },
  deno: { pkg: 'deno@2.9.6', bin: 'deno', args: ['run', '-A', 'example.mjs'] },
} as const;
const ANSWERS = { root: 'Hello world!', user: { id: '42' }, echo: 'ping' };
const WARNING = '@jato/native-loop: native transport unavailable';

/** The runtime's executable, installed from the npm registry into the cache on first use. */
function runtime(name: keyof typeof RUNTIMES): string {
  const { pkg, bin } = RUNTIMES[name];
  const dir = path.join(cacheDir('runtimes'), pkg.replace('@', '-'));
  const exe = path.join(dir, 'node_modules', '.bin', bin);
  if (!existsSync(exe)) {
    writeFileSync(path.join(cacheDir('runtimes'), 'package.json'), '{"private":true}\n');
    const r = npm(cacheDir('runtimes'), ['install', '--prefix', dir, '--no-save', pkg]);
    if (r.status !== 0 || !existsSync(exe)) throw new Error(`installing ${pkg} failed:\n${r.stderr}`);
  }
  return exe;
}

let app: string;
beforeAll(() => {
  app = makeProject();
  const r = npm(app, ['install', ...inject('tarballs'), inject('prebuiltTarball')]);
  if (r.status !== 0) throw new Error(r.stderr);
});

describe('the installed example on each runtime', () => {
  test('node 20 (the running Node): native transport', async () => {
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
  });

  for (const name of ['node 22', 'node 24'] as const) {
    test(`${name}: native transport from the same prebuilt`, async () => {
      const run = await runExample(app, runtime(name), [...RUNTIMES[name].args], cleanEnv());
      expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
    });
  }

  for (const name of ['bun', 'deno'] as const) {
    test(`${name}: detected up front, JS transport with one warning, never a crash`, async () => {
      const run = await runExample(app, runtime(name), [...RUNTIMES[name].args], cleanEnv({ NO_COLOR: '1' }));
      expect([run.transport, run.answers]).toEqual(['js', ANSWERS]);
      const warnings = linesWith(run.stderr, WARNING);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`${name} `);
      expect(warnings[0]).toContain('does not provide the libuv event loop');
    });
  }
});
