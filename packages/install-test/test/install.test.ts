/**
 * Installs the packed tarballs with plain npm (and pnpm) into a fresh project outside the workspace,
 * the way a user does, then runs the README example and checks its answers and transport.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { cacheDir } from './cache.js';
import { cleanEnv, linesWith, makeProject, npm, npmCli, pathWithoutToolchain, removeScratch, runExample } from './harness.js';

afterAll(removeScratch);

const tarballs = inject('tarballs');
const prebuilt = inject('prebuiltTarball');
const platform = inject('platformKey');
const WARNING = '@jato/native-loop: native transport unavailable';
const ANSWERS = { root: 'Hello world!', user: { id: '42' }, echo: 'ping' };

/** The real binary of a Node from the npm `node` package (installed once into the cache). */
function nodeFromNpm(version: string): string {
  const dir = path.join(cacheDir('runtimes'), `node-${version}`);
  const bin = path.join(dir, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    const r = npm(cacheDir('runtimes'), ['install', '--prefix', dir, '--no-save', `node@${version}`]);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return bin;
}

function status(app: string, pkg: string): Record<string, string> | undefined {
  const file = path.join(app, 'node_modules', '@jato', pkg, 'build', 'install-status.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : undefined;
}

describe('npm install of the packed packages', () => {
  test('with the prebuilt package: no compile, native transport from the prebuilt, parser addon never loaded', async () => {
    const app = makeProject();
    const r = npm(app, ['install', ...tarballs, prebuilt]);
    expect(r.status, r.stderr).toBe(0);
    expect(status(app, 'native-loop')).toEqual({ origin: 'prebuilt', package: `@jato/binding-${platform}` });
    expect(existsSync(path.join(app, 'node_modules/@jato/native-loop/build/Release'))).toBe(false);
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect(run.answers).toEqual(ANSWERS);
    expect(run.transport).toBe('native');
    expect(run.parserAddon).toBe(false);
    expect(run.stderr).toBe('');
  });

  test('no prebuilt and no toolchain: install exits 0 with one line per addon, JS transport, one warning', async () => {
    const app = makeProject();
    const env = cleanEnv({ PATH: pathWithoutToolchain() });
    const r = npm(app, ['install', '--foreground-scripts', ...tarballs], env);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout + r.stderr;
    const lines = linesWith(out, 'no prebuilt addon for');
    expect(lines).toHaveLength(2); // @jato/native-loop and @jato/parser, one line each
    expect(linesWith(out, '@jato/native-loop: no prebuilt addon')[0]).toMatch(
      /missing: make, a C\+\+ compiler.*the JS transport will be used\. To build it: npm rebuild @jato\/native-loop/,
    );
    expect(out).not.toMatch(/gyp ERR|npm error/);
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect(run.answers).toEqual(ANSWERS);
    expect(run.transport).toBe('js');
    expect(linesWith(run.stderr, WARNING)).toHaveLength(1);
    expect(run.stderr).toContain('npm rebuild @jato/native-loop');
  });

  test('--ignore-scripts: the prebuilt still gives the native transport; without it, JS and the rebuild command', async () => {
    const withPrebuilt = makeProject();
    expect(npm(withPrebuilt, ['install', '--ignore-scripts', ...tarballs, prebuilt]).status).toBe(0);
    const a = await runExample(withPrebuilt, process.execPath, ['example.mjs']);
    expect([a.transport, a.answers]).toEqual(['native', ANSWERS]);

    const without = makeProject();
    expect(npm(without, ['install', '--ignore-scripts', ...tarballs]).status).toBe(0);
    const b = await runExample(without, process.execPath, ['example.mjs']);
    expect([b.transport, b.answers]).toEqual(['js', ANSWERS]);
    expect(linesWith(b.stderr, WARNING)).toHaveLength(1);
    expect(b.stderr).toContain('npm rebuild @jato/native-loop');
  });

  test('a project path with a space, no prebuilt: the local build succeeds and is used', async () => {
    const app = makeProject('svc', 'temp');
    const r = npm(app, ['install', ...tarballs]);
    expect(r.status, r.stderr).toBe(0);
    expect(status(app, 'native-loop')).toEqual({ origin: 'local build', platform });
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
  });
});

describe('npm install under Node 24 from the npm `node` package (headers beside its copied binary)', () => {
  test('no prebuilt: the local build finds the headers without a download; native transport', async () => {
    const node24 = nodeFromNpm('24.21.0');
    const app = makeProject();
    const env = cleanEnv();
    env['PATH'] = `${path.dirname(node24)}${path.delimiter}${env['PATH'] ?? ''}`;
    const r = spawnSync(node24, [npmCli(), 'install', ...tarballs], { cwd: app, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(status(app, 'native-loop')).toEqual({ origin: 'local build', platform });
    const run = await runExample(app, node24, ['example.mjs'], env);
    expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
  });
});

describe('pnpm install of the packed packages', () => {
  /** A pnpm project whose @jato packages come from the tarballs (overrides, as from a registry). */
  function pnpmProject(extra: string[] = []): string {
    const app = makeProject();
    const names = tarballs.map((t) => {
      const r = spawnSync('tar', ['xzf', t, '-O', 'package/package.json'], { encoding: 'utf8' });
      return (JSON.parse(r.stdout) as { name: string }).name;
    });
    const overrides = names.map((n, i) => `  "${n}": "file:${tarballs[i]}"`).join('\n');
    writeFileSync(path.join(app, 'pnpm-workspace.yaml'), `updateNotifier: false\n${extra.join('\n')}\noverrides:\n${overrides}\n`);
    const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    manifest['dependencies'] = { jato: `file:${tarballs[names.indexOf('jato')]}` };
    writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest, null, 2));
    return app;
  }

  test('builds not approved: everything is installed, the example serves on JS with the pnpm rebuild command', async () => {
    const app = pnpmProject();
    const r = spawnSync('pnpm', ['install'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
    // pnpm 12's own policy (strictDepBuilds, default true) reports unapproved build scripts with a
    // non-zero exit; the packages are linked all the same and work without their scripts.
    expect(r.stdout + r.stderr).toContain('@jato/native-loop');
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers]).toEqual(['js', ANSWERS]);
    expect(linesWith(run.stderr, WARNING)).toHaveLength(1);
    expect(run.stderr).toContain('pnpm approve-builds');
  });

  test('builds approved afterwards (`pnpm approve-builds --all`): node-gyp found the pnpm way, local build, native', async () => {
    const app = pnpmProject();
    spawnSync('pnpm', ['install'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
    const r = spawnSync('pnpm', ['approve-builds', '--all'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
  });
});
