import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const script = fileURLToPath(new URL('../scripts/build-native.cjs', import.meta.url));

/** A scratch package like @jato/native-loop: a binding.gyp whose source does not exist. */
function scratchPackage(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jato-build-native-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@jato/native-loop', version: '0.0.0' }));
  writeFileSync(path.join(dir, 'binding.gyp'), JSON.stringify({ targets: [{ target_name: 'jato_native_loop', sources: ['missing.cc'] }] }));
  return dir;
}

function install(dir: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [script, '--install'], { cwd: dir, env, encoding: 'utf8' });
  let status: Record<string, string> | undefined;
  try {
    status = JSON.parse(readFileSync(path.join(dir, 'build', 'install-status.json'), 'utf8')) as Record<string, string>;
  } catch {
    status = undefined;
  }
  return { code: r.status, out: r.stdout + r.stderr, status };
}

describe('build-native --install never fails', () => {
  test('no toolchain on PATH: exit 0, one line naming what is missing, the fallback and the rebuild command', () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'jato-bin-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const env = { PATH: bin, HOME: os.homedir(), npm_config_user_agent: 'npm/11.0.0 node/v20' };
    const r = install(scratchPackage(), env);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^@jato\/native-loop: no prebuilt addon for \S+ and no toolchain to build one \(missing: make, a C\+\+ compiler, python3\); the JS transport will be used\. To build it: npm rebuild @jato\/native-loop --foreground-scripts$/,
      ),
    ]);
    expect(r.status).toMatchObject({ origin: 'none', rebuild: 'npm rebuild @jato/native-loop --foreground-scripts' });
  });

  test('JATO_SKIP_BUILD=1 under pnpm: the pnpm rebuild command', () => {
    const r = install(scratchPackage(), { ...process.env, JATO_SKIP_BUILD: '1', npm_config_user_agent: 'pnpm/12.4.2 npm/? node/v20' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('To build it: pnpm approve-builds && pnpm rebuild @jato/native-loop');
  });

  test('a failing build: exit 0, one line with the failed node-gyp step, the output kept in build/install-build.log', () => {
    const dir = scratchPackage();
    mkdirSync(path.join(dir, 'build'), { recursive: true });
    const r = install(dir, { ...process.env, JATO_SKIP_BUILD: '', npm_config_user_agent: 'npm/11.0.0 node/v20' });
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@jato\/native-loop: no prebuilt addon for \S+ and the local build failed: node-gyp (configure|build) failed/);
    expect(readFileSync(path.join(dir, 'build', 'install-build.log'), 'utf8').length).toBeGreaterThan(0);
  });
});
