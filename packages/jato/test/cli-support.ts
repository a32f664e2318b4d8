import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** Bound of every wait in the CLI tests (real processes on a busy machine). */
export const WAIT_MS = 30_000;

/** The jato package directory. */
export const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** A running `jato` CLI (from source, under tsx) with its output. */
export class CliProcess {
  stdout = '';
  stderr = '';
  exit: { code: number | null; signal: string | null } | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      this.wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.wake();
    });
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.wake();
    });
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

  /** Waits for `probe()` to give a value; fails at once (with the output) if the CLI exits first. */
  until<T>(what: string, probe: () => T | undefined, exitOk = false): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value === undefined && (exitOk || this.exit === undefined)) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (value !== undefined) resolve(value);
        else reject(new Error(`the CLI exited (${JSON.stringify(this.exit)}) before ${what}; stdout ${this.stdout}; stderr ${this.stderr}`));
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; stdout ${this.stdout}; stderr ${this.stderr}`));
      }, WAIT_MS);
      if (!check()) this.waiters.push(check);
    });
  }

  /** Resolves to the URL of the n-th (1-based) `jato listening on URL` line. */
  listening(n = 1): Promise<string> {
    return this.until(`listening line ${n}`, () => {
      const urls = [...this.stdout.matchAll(/^jato listening on (http:\/\/\S+)$/gm)].map((m) => m[1]!);
      return urls[n - 1];
    });
  }

  exited(): Promise<{ code: number | null; signal: string | null }> {
    return this.until('the CLI to exit', () => this.exit, true);
  }

  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** GET `url` on a fresh connection. */
export function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
