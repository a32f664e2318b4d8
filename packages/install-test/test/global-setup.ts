/**
 * Runs once before the packaging tests: packs every published package with `pnpm pack` (which turns
 * `workspace:` ranges into versions, as `pnpm publish` does) and builds this platform's prebuilt
 * package with the release script (scripts/build-prebuilt.mjs; its output is cached by source hash
 * under ~/.cache/jato/prebuilt). Provides the tarball paths to the tests.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { cacheDir } from './cache.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PUBLISHED = ['parser', 'native-loop', 'router', 'core', 'testing', 'jato'];

declare module 'vitest' {
  export interface ProvidedContext {
    tarballs: string[];
    prebuiltTarball: string;
    platformKey: string;
  }
}

export default function setup(project: TestProject): () => void {
  const out = mkdtempSync(path.join(os.tmpdir(), 'jato-tarballs-'));
  const tarballs = PUBLISHED.map((pkg) => {
    const before = new Set(readdirSync(out));
    execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: path.join(root, 'packages', pkg), stdio: 'pipe' });
    const made = readdirSync(out).find((f) => !before.has(f) && f.endsWith('.tgz'));
    if (!made) throw new Error(`pnpm pack made no tarball for ${pkg}`);
    return path.join(out, made);
  });
  const key = execFileSync(process.execPath, ['-p', 'process.report.getReport().header.glibcVersionRuntime ? "linux-" + process.arch + "-gnu" : process.platform + "-" + process.arch'], { encoding: 'utf8' }).trim();
  const bindingDir = path.join(out, 'binding');
  cpSync(path.join(root, 'packages', 'bindings', key), bindingDir, { recursive: true });
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-prebuilt.mjs'), '--out', bindingDir, '--cache', cacheDir('prebuilt')], {
    stdio: 'pipe',
  });
  const packed = execFileSync('npm', ['pack', '--pack-destination', out, '--silent'], { cwd: bindingDir, encoding: 'utf8' }).trim().split('\n').pop()!;
  project.provide('tarballs', tarballs);
  project.provide('prebuiltTarball', path.join(out, packed));
  project.provide('platformKey', key);
  return () => rmSync(out, { recursive: true, force: true });
}
