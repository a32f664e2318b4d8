import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { httpGet } from '../support/http-get.js';
import { WatchedProcess } from '../support/watched-process.js';

const coreDir = fileURLToPath(new URL('../..', import.meta.url));

export type FixtureEvent = Record<string, unknown> & { event: string };

/**
 * A fixture process (a cluster primary) with its parsed stdout events. `kill()` kills the primary;
 * workers follow when the IPC channel closes.
 */
export class Fixture extends WatchedProcess {
  readonly events: FixtureEvent[] = [];
  private buffered = '';

  private constructor(child: ChildProcess) {
    super(child, 'fixture');
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

  /** Parses each complete stdout line as a JSON event; other lines go to stderr, marked. */
  protected override onStdout(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      try {
        this.events.push(JSON.parse(line) as FixtureEvent);
      } catch {
        this.stderr += `[stdout] ${line}\n`;
      }
    }
  }

  protected override report(): string {
    return `events ${JSON.stringify(this.events)}; stderr ${this.stderr}`;
  }
}

/** GET on a fresh connection; resolves to the body text. */
export function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return httpGet(`http://127.0.0.1:${port}${path}`);
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
