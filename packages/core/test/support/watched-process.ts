import type { ChildProcess } from 'node:child_process';

/** Bound of every wait on a watched process (real processes on a busy machine). */
export const WAIT_MS = 30_000;

/** How a watched process ended. */
export type ProcessExit = { code: number | null; signal: string | null };

/**
 * A child process whose output and exit tests wait on: {@link until} re-checks its probe on every
 * output chunk and on exit, fails at once (with the output) when the process exits first, and
 * fails after {@link WAIT_MS}. Used by the cluster fixtures and by the jato CLI tests.
 */
export class WatchedProcess {
  stdout = '';
  stderr = '';
  exit: ProcessExit | undefined;
  private waiters: Array<() => boolean> = [];

  /** Watches `child` (spawned with piped stdout and stderr); `label` names it in failures. */
  constructor(
    readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stdout += text;
      this.onStdout(text);
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

  /** Waits for `probe()` to give a value; fails at once (with the output) if the process exits first. */
  until<T>(what: string, probe: () => T | undefined, exitOk = false): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = probe();
        if (value === undefined && (exitOk || this.exit === undefined)) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (value !== undefined) resolve(value);
        else reject(new Error(`the ${this.label} exited (${JSON.stringify(this.exit)}) before ${what}; ${this.report()}`));
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; ${this.report()}`));
      }, WAIT_MS);
      if (!check()) this.waiters.push(check);
    });
  }

  /** Resolves with how the process ended. */
  exited(): Promise<ProcessExit> {
    return this.until(`the ${this.label} to exit`, () => this.exit, true);
  }

  /** Kills the process (SIGKILL) if it is still running. */
  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }

  /** Called with each stdout chunk before waiters are woken (a subclass parses it here). */
  protected onStdout(_text: string): void {}

  /** The output quoted in failures. */
  protected report(): string {
    return `stdout ${this.stdout}; stderr ${this.stderr}`;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
