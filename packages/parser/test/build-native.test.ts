import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const script = fileURLToPath(new URL('../scripts/build-native.cjs', import.meta.url));
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A project with an installed package like @jato/native-loop: its gyp file in native/, one source. */
function project(source?: string): { app: string; pkg: string } {
  const app = temp('jato-build-native-');
  const pkg = path.join(app, 'node_modules', '@jato', 'native-loop');
  mkdirSync(path.join(pkg, 'native'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@jato/native-loop', version: '0.0.0' }));
  writeFileSync(
    path.join(pkg, 'native', 'binding.gyp'),
    JSON.stringify({ targets: [{ target_name: 'jato_native_loop', sources: [source === undefined ? 'missing.cc' : 'addon.cc'] }] }),
  );
  if (source !== undefined) writeFileSync(path.join(pkg, 'native', 'addon.cc'), source);
  return { app, pkg };
}

/** `jato-build-native <args>` in `cwd` (without the NODE_PATH `pnpm exec` sets for the workspace). */
function bin(cwd: string, args: string[], env: NodeJS.ProcessEnv) {
  const { NODE_PATH: _, ...rest } = env;
  const r = spawnSync(process.execPath, [script, ...args], { cwd, env: rest, encoding: 'utf8' });
  return { code: r.status, lines: (r.stdout + r.stderr).trim().split('\n') };
}

describe('jato-build-native: the explicit local build', () => {
  test('no toolchain on PATH: exit 1, one line naming what is missing and the fallback', () => {
    const { app } = project();
    const onlyNode = temp('jato-bin-');
    symlinkSync(process.execPath, path.join(onlyNode, 'node'));
    const r = bin(app, ['@jato/native-loop'], { PATH: onlyNode, HOME: os.homedir() });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      '@jato/native-loop: the local build failed: no toolchain to build it (missing: make, a C++ compiler, python3); the JS transport stays in use',
    ]);
  });

  test('JATO_SKIP_BUILD=1 acts as a missing toolchain', () => {
    const { app } = project();
    const r = bin(app, [], { ...process.env, JATO_SKIP_BUILD: '1' });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([expect.stringContaining('(missing: JATO_SKIP_BUILD=1)')]);
  });

  test('a failing build: exit 1, one line with the failed node-gyp step, the output kept in build/build-native.log', () => {
    const { app, pkg } = project();
    const r = bin(app, ['@jato/native-loop'], { ...process.env, JATO_SKIP_BUILD: '' });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^@jato\/native-loop: the local build failed: node-gyp (configure|build) failed/);
    expect(readFileSync(path.join(pkg, 'build', 'build-native.log'), 'utf8').length).toBeGreaterThan(0);
  });

  test('nothing to build here: exit 1 and says so', () => {
    const r = bin(temp('jato-empty-'), [], { ...process.env });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['jato-build-native: none of @jato/native-loop, @jato/parser is installed here']);
  });

  test('a toolchain: builds in native/ and puts the addon in build/Release, where the loaders look', () => {
    const { app, pkg } = project('#include <node_api.h>\nNAPI_MODULE_INIT() { return exports; }\n');
    const r = bin(app, [], { ...process.env, JATO_SKIP_BUILD: '' });
    expect(r, r.lines.join('\n')).toMatchObject({ code: 0 });
    expect(r.lines).toEqual([expect.stringMatching(/^@jato\/native-loop: built \S+jato_native_loop\.node for \S+ \(local build\)$/)]);
    expect(existsSync(path.join(pkg, 'build', 'Release', 'jato_native_loop.node'))).toBe(true);
    expect(existsSync(path.join(pkg, 'binding.gyp'))).toBe(false);
  }, 120_000);
});
