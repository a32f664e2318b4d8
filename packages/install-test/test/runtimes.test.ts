/**
 * The installed README example (npm install of the tarballs with the prebuilt package) under every
 * runtime: Node 20 (this one), Node 22 and 24 (the npm `node` package's binaries), Bun (npm `bun`) and
 * Deno (npm `deno`, `deno run -A`). Node serves on the native transport; Bun and Deno are detected up
 * front and serve on the JS transport with one warning. Runtimes are installed once into
 * ~/.cache/jato/runtimes and reused.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanEnv, installedProject, linesWith, removeScratch, runExample } from './harness.js';
import { RUNTIMES, runtime } from './runtimes.js';

afterAll(removeScratch);

const ANSWERS = { root: 'Hello world!', user: { id: '42' }, echo: 'ping' };
const WARNING = '@jato/native-loop: native transport unavailable';

let app: string;
beforeAll(() => {
  app = installedProject();
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
