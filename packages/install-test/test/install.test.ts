/**
 * Installs the packed tarballs with plain npm (and pnpm) into a fresh project outside the workspace,
 * the way a user does, then runs the README example and checks its answers and transport.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { cleanEnv, linesWith, makeProject, npm, npmCli, pathWithoutToolchain, removeScratch, runExample } from './harness.js';
import { installedRuntime } from './runtimes.js';

afterAll(removeScratch);

const tarballs = inject('tarballs');
const prebuilt = inject('prebuiltTarball');
const platform = inject('platformKey');
const WARNING = '@jato/native-loop: native transport unavailable';
const ANSWERS = { root: 'Hello world!', user: { id: '42' }, echo: 'ping' };

/** The real binary of a Node from the npm `node` package (not its .bin link: headers sit beside it). */
const nodeBinaryFromNpm = (version: string): string =>
  installedRuntime(`node@${version}`, path.join('node_modules', 'node', 'bin', 'node'));

/** True when no package of the install has a gyp file at its root (npm and pnpm build those implicitly). */
function noRootGypFile(app: string): boolean {
  return ['parser', 'native-loop'].every((pkg) => !existsSync(path.join(app, 'node_modules', '@jato', pkg, 'binding.gyp')));
}

/** Whether the install compiled anything (a node-gyp build leaves build/ or native/build/ behind). */
function compiled(app: string): boolean {
  return ['parser', 'native-loop'].some((pkg) =>
    ['build', 'native/build'].some((dir) => existsSync(path.join(app, 'node_modules', '@jato', pkg, dir))),
  );
}

/** `npx jato build-native` in `app`, as a user runs it (npm exec). */
function buildNative(app: string, env?: NodeJS.ProcessEnv) {
  return npm(app, ['exec', '--', 'jato', 'build-native'], env);
}

describe('npm install of the packed packages (no install script: nothing runs at install)', () => {
  test('with the prebuilt package: no compile, native transport from the prebuilt, parser addon never loaded', async () => {
    const app = makeProject();
    const r = npm(app, ['install', '--foreground-scripts', ...tarballs, prebuilt]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/gyp/i);
    expect(compiled(app)).toBe(false);
    expect(noRootGypFile(app)).toBe(true);
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect(run.answers).toEqual(ANSWERS);
    expect(run.transport).toBe('native');
    expect(run.parserAddon).toBe(false);
    expect(run.stderr).toBe('');
  });

  test('npm --strict-allow-scripts: installs (no script to approve), native from the prebuilt', async () => {
    const app = makeProject();
    const r = npm(app, ['install', '--strict-allow-scripts', ...tarballs, prebuilt]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/ESTRICTALLOWSCRIPTS|allowScripts/);
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
  });

  test('no prebuilt and no toolchain: install exits 0 silently, JS transport with one warning naming `npx jato build-native`, which then says what is missing', async () => {
    const app = makeProject();
    const env = cleanEnv({ PATH: pathWithoutToolchain() });
    const r = npm(app, ['install', '--foreground-scripts', ...tarballs], env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/gyp|no prebuilt|npm error/);
    expect(compiled(app)).toBe(false);
    const run = await runExample(app, process.execPath, ['example.mjs'], env);
    expect(run.answers).toEqual(ANSWERS);
    expect(run.transport).toBe('js');
    expect(linesWith(run.stderr, WARNING)).toEqual([
      expect.stringMatching(new RegExp(`no prebuilt addon for ${platform} and no local build; to build it: npx jato build-native`)),
    ]);
    const b = buildNative(app, env);
    expect(b.status).toBe(1);
    expect(linesWith(b.stdout, '@jato/native-loop')).toEqual([
      'jato: @jato/native-loop: the local build failed: no toolchain to build it (missing: make, a C++ compiler, python3); the JS transport stays in use',
    ]);
  });

  test('--ignore-scripts: the prebuilt still gives the native transport; without it, JS and the build command', async () => {
    const withPrebuilt = makeProject();
    expect(npm(withPrebuilt, ['install', '--ignore-scripts', ...tarballs, prebuilt]).status).toBe(0);
    const a = await runExample(withPrebuilt, process.execPath, ['example.mjs']);
    expect([a.transport, a.answers]).toEqual(['native', ANSWERS]);

    const without = makeProject();
    expect(npm(without, ['install', '--ignore-scripts', ...tarballs]).status).toBe(0);
    const b = await runExample(without, process.execPath, ['example.mjs']);
    expect([b.transport, b.answers]).toEqual(['js', ANSWERS]);
    expect(linesWith(b.stderr, WARNING)).toHaveLength(1);
    expect(b.stderr).toContain('npx jato build-native');
  });

  test('a project path with a space, no prebuilt, a toolchain: no build at install; `npx jato build-native` builds, then native', async () => {
    const app = makeProject('svc', 'temp');
    const r = npm(app, ['install', ...tarballs]);
    expect(r.status, r.stderr).toBe(0);
    expect(compiled(app)).toBe(false);
    const before = await runExample(app, process.execPath, ['example.mjs']);
    expect([before.transport, before.answers]).toEqual(['js', ANSWERS]);
    const b = buildNative(app);
    expect(b.status, b.stdout + b.stderr).toBe(0);
    expect(b.stdout).toMatch(new RegExp(`jato: @jato/native-loop: built \\S*jato_native_loop\\.node for ${platform} \\(local build\\)`));
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
  });
});

describe('npm install under Node 24 from the npm `node` package (headers beside its copied binary)', () => {
  test('no prebuilt: `npx jato build-native` finds the headers without a download; native transport', async () => {
    const node24 = nodeBinaryFromNpm('24.21.0');
    const app = makeProject();
    const env = cleanEnv();
    env['PATH'] = `${path.dirname(node24)}${path.delimiter}${env['PATH'] ?? ''}`;
    const r = spawnSync(node24, [npmCli(), 'install', ...tarballs], { cwd: app, env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const b = spawnSync(node24, [npmCli(), 'exec', '--', 'jato', 'build-native'], { cwd: app, env, encoding: 'utf8' });
    expect(b.status, b.stdout + b.stderr).toBe(0);
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

  test('nothing to approve: pnpm 12 (strictDepBuilds) exits 0, no build runs, JS with one warning naming `pnpm exec jato build-native`', async () => {
    const app = pnpmProject();
    const r = spawnSync('pnpm', ['install'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/ERR_PNPM|Ignored build|approve-builds|gyp/);
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers]).toEqual(['js', ANSWERS]);
    expect(linesWith(run.stderr, WARNING)).toHaveLength(1);
    expect(run.stderr).toContain('to build it: pnpm exec jato build-native');
  });

  test('`pnpm exec jato build-native`: node-gyp found without npm\'s environment, local build, native', async () => {
    const app = pnpmProject();
    expect(spawnSync('pnpm', ['install'], { cwd: app, env: cleanEnv(), encoding: 'utf8' }).status).toBe(0);
    const r = spawnSync('pnpm', ['exec', 'jato', 'build-native'], { cwd: app, env: cleanEnv(), encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const run = await runExample(app, process.execPath, ['example.mjs']);
    expect([run.transport, run.answers, run.stderr]).toEqual(['native', ANSWERS, '']);
  });
});
