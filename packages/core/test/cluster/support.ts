import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** Bound of every wait in these tests (real processes on a busy machine). */
export const WAIT_MS = 30_000;

const coreDir = fileURLToPath(new URL('../..', import.meta.url));

export type FixtureEvent = Record<string, unknown> & { event: string };

/** A fixture process with its parsed stdout events. */
export class Fixture {
  readonly events: FixtureEvent[] = [];
  stderr = '';
  exit: { code: number | null; signal: string | null } | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcess) {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.events.push(JSON.parse(line) as FixtureEvent);
        } catch {
          this.stderr += `[stdout] ${line}\n`;
        }
      }
      this.wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.wake();
    });
  }

  /** Starts `fixtures/<script>` under tsx with the workspace packages resolved to their sources. */
  static start(script: string, env: Record<string, string> = {}): Fixture {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@jato/source', `test/cluster/fixtures/${script}`],
      { cwd: coreDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new Fixture(child);
  }

  /** Waits for an event matching `match` (looking at every event so far, then new ones). */
  waitFor(what: string, match: (e: FixtureEvent) => boolean, from = 0): Promise<FixtureEvent> {
    return this.until(what, () => this.events.slice(from).find(match));
  }

  exited(): Promise<{ code: number | null; signal: string | null }> {
    return this.until('the process to exit', () => this.exit, true);
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
        else reject(new Error(`the fixture exited (${JSON.stringify(this.exit)}) before ${what}; ${this.report()}`));
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; ${this.report()}`));
      }, WAIT_MS);
      if (!check()) this.waiters.push(check);
    });
  }

  private report(): string {
    return `events ${JSON.stringify(this.events)}; stderr ${this.stderr}`;
  }

  /** Kills the fixture (primary) if it is still running; workers follow when the IPC channel closes. */
  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** GET on a fresh connection; resolves to the body text. */
export function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Whether process `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
