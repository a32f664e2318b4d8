import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/** The first code block of the section `## heading` of this package's README. */
export function readmeBlock(heading: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const at = readme.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`README has no section "${heading}"`);
  const m = /\n```ts\n([\s\S]*?)\n```\n/.exec(readme.slice(at));
  if (m === null) throw new Error(`README section "${heading}" has no ts code block`);
  return m[1]!;
}

/**
 * Runs a README example as written by `node` (ESM, from this package's directory: `@jato/core`
 * resolves to the built dist) with PORT=0 and NODE_ENV=production; stdout and stderr are piped.
 */
export function runReadmeExample(code: string): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['--input-type=module', '--eval', code], {
    cwd: packageDir,
    env: { ...process.env, PORT: '0', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
