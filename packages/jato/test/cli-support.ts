import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WatchedProcess } from '../../core/test/support/watched-process.js';

export { httpGet as get } from '../../core/test/support/http-get.js';

/** The jato package directory. */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** A running `jato` CLI (from source, under tsx) with its output. */
export class CliProcess extends WatchedProcess {
  constructor(child: ChildProcess) {
    super(child, 'CLI');
  }

  /** Runs `jato <args>` with `cwd` (default: the package directory). */
  static run(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliProcess {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@jato/source', cli, ...args], {
      cwd: options.cwd ?? packageDir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new CliProcess(child);
  }

  /** Resolves to the URL of the n-th (1-based) `jato listening on URL` line. */
  listening(n = 1): Promise<string> {
    return this.until(`listening line ${n}`, () => {
      const urls = [...this.stdout.matchAll(/^jato listening on (http:\/\/\S+)$/gm)].map((m) => m[1]!);
      return urls[n - 1];
    });
  }
}
