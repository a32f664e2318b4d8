import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** Loads `entry` of the built package in a fresh Node and lists the .node files it loaded. */
function addonsLoadedBy(entry: string, format: 'esm' | 'cjs'): string[] {
  const script =
    format === 'esm'
      ? `const m = await import(${JSON.stringify(dist + entry + '.js')}); const { createRequire } = await import('node:module');
         console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).filter((f) => f.endsWith('.node'))));`
      : `require(${JSON.stringify(dist + entry + '.cjs')}); console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.endsWith('.node'))));`;
  const out = execFileSync(process.execPath, format === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('the addon is loaded only by @jato/parser/native', () => {
  test('the main entry (ESM and CJS) loads no addon; the native entry loads jato_parser.node', () => {
    expect(addonsLoadedBy('index', 'esm')).toEqual([]);
    expect(addonsLoadedBy('index', 'cjs')).toEqual([]);
    expect(addonsLoadedBy('native', 'esm')).toEqual([expect.stringMatching(/jato_parser\.node$/)]);
    expect(addonsLoadedBy('native', 'cjs')).toEqual([expect.stringMatching(/jato_parser\.node$/)]);
  });
});
