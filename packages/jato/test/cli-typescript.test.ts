import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/cli/args.js';
import { CliError } from '../src/cli/cli-error.js';
import { startedByPackageManager } from '../src/cli/parent-watch.js';
import { checkStrippedFormat, findTsx, nearestPackageType } from '../src/cli/typescript.js';
import { CliProcess } from './cli-support.js';

function project(type: string | undefined, file: string, source: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jato-ts-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(type === undefined ? { name: 'x' } : { name: 'x', type }));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', file), source);
  return path.join(dir, 'src', file);
}

describe('jato CLI and TypeScript entries', () => {
  it("finds tsx's ESM registration file (the import condition, not require.resolve's CommonJS one)", () => {
    const api = findTsx(path.join(process.cwd(), 'app.ts'));
    expect(api).toMatch(/tsx[\\/]dist[\\/]esm[\\/]api[\\/]index\.mjs$/);
  });

  it("reads the nearest package.json's type", () => {
    expect(nearestPackageType(project('commonjs', 'a.ts', '')).type).toBe('commonjs');
    expect(nearestPackageType(project('module', 'a.ts', '')).type).toBe('module');
    expect(nearestPackageType(project(undefined, 'a.ts', '')).type).toBeUndefined();
  });

  it('with type stripping, an ESM .ts under "type": "commonjs" gets a clear error; CommonJS, .mts or module are fine', () => {
    const esm = "import { App } from 'jato';\nexport default new App();\n";
    expect(() => checkStrippedFormat(project('commonjs', 'app.ts', esm))).toThrow(CliError);
    expect(() => checkStrippedFormat(project('commonjs', 'app.ts', esm))).toThrow(/"type": "commonjs".*\n.*\.mts.*tsx@4/);
    expect(() => checkStrippedFormat(project('commonjs', 'app.ts', "const { App } = require('jato');\nmodule.exports = new App();\n"))).not.toThrow();
    expect(() => checkStrippedFormat(project('commonjs', 'app.mts', esm))).not.toThrow();
    expect(() => checkStrippedFormat(project('module', 'app.ts', esm))).not.toThrow();
    expect(() => checkStrippedFormat(project(undefined, 'app.ts', esm))).not.toThrow();
  });

  it('parses `jato info` and tells when a package manager started the process', () => {
    expect(parseCommand(['info'], {})).toEqual({ kind: 'info' });
    expect(() => parseCommand(['info', 'x'], {})).toThrow(/unexpected argument 'x'/);
    expect(startedByPackageManager({ npm_lifecycle_event: 'start' })).toBe(true);
    expect(startedByPackageManager({ npm_config_user_agent: 'npm/11 node/v20' })).toBe(true);
    expect(startedByPackageManager({})).toBe(false);
  });

  it('`jato info` prints runtime, platform, the transport auto picks with the addon origin, and the SIMD level', async () => {
    const p = CliProcess.run(['info']);
    expect(await p.exited()).toEqual({ code: 0, signal: null });
    expect(p.stdout).toMatch(/^runtime: +node \d+\.\d+\.\d+$/m);
    expect(p.stdout).toMatch(/^platform: +\w+-\w+/m);
    expect(p.stdout).toMatch(/^transport \('auto'\): +(native \(addon: (prebuilt|local build|environment)\)|js \(.+\))$/m);
    expect(p.stdout).toMatch(/^SIMD: +(scalar|sse42|avx2|unknown)/m);
  });
});
