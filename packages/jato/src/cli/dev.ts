import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { resolveEntry } from './load-app.js';
import { planTypeScript } from './typescript.js';
import { watchTree } from './watch.js';

/** Options of `jato dev`. */
export interface DevOptions {
  entry: string;
  port: number;
  host: string;
  /** Directories to watch (default: the entry's directory). */
  watch: string[];
  /** Quiet period after the last change before restarting (100 ms). */
  debounceMs?: number;
  /** Where dev-mode messages go (stderr). */
  log?: (line: string) => void;
}

/** How long a stopping child may take before it is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * `jato dev`: runs `jato serve <entry>` in a child process (same Node, same flags, NODE_ENV
 * development unless set) and restarts it, after a short debounce, whenever a file under the
 * watched directories changes; the old child is stopped (SIGTERM, then SIGKILL after 5 s) before
 * the new one starts, so the port is free again. A crashed app waits for the next change.
 * SIGINT/SIGTERM stop the child and end dev mode with exit code 0.
 */
export function dev(options: DevOptions): Promise<number> {
  const file = resolveEntry(options.entry);
  const plan = planTypeScript(file); // throws a clear CliError when TypeScript cannot run here
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const roots = (options.watch.length > 0 ? options.watch : [path.dirname(file)]).map((d) => path.resolve(d));
  const debounceMs = options.debounceMs ?? 100;
  const cli = process.argv[1]!;
  const flags = plan.kind === 'reexec' ? [plan.flag, '--disable-warning=ExperimentalWarning'] : [];
  const args = [...flags, ...process.execArgv, cli, 'serve', file, '--port', String(options.port), '--host', options.host, '--workers', '1'];

  return new Promise((resolve) => {
    let child: ChildProcess | undefined;
    let childExited: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    let restarting = false;
    let pendingChange: string | undefined;
    let stopped = false;

    const start = (): void => {
      const c = spawn(process.execPath, args, {
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development', JATO_WATCH_PARENT: '1' },
      });
      child = c;
      childExited = new Promise((done) => {
        c.on('exit', (code, signal) => {
          if (child === c) {
            child = undefined;
            if (!restarting && !stopped) {
              log(`jato dev: app exited with ${signal ?? `code ${String(code)}`}; waiting for changes`);
            }
          }
          done();
        });
      });
    };

    const stopChild = async (): Promise<void> => {
      const c = child;
      if (c === undefined) return;
      const exited = childExited;
      c.kill('SIGTERM');
      const kill = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(kill);
    };

    const restart = async (): Promise<void> => {
      if (restarting) return;
      restarting = true;
      try {
        while (pendingChange !== undefined && !stopped) {
          log(`jato dev: ${path.relative(process.cwd(), pendingChange) || pendingChange} changed, restarting`);
          pendingChange = undefined;
          await stopChild();
          if (!stopped) start();
        }
      } finally {
        restarting = false;
      }
    };

    const unwatch = watchTree(roots, (changed) => {
      pendingChange = changed;
      clearTimeout(timer);
      timer = setTimeout(() => void restart(), debounceMs);
    });

    const shutdown = (): void => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      unwatch();
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      void stopChild().then(() => resolve(0));
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    log(`jato dev: watching ${roots.map((r) => path.relative(process.cwd(), r) || '.').join(', ')}`);
    start();
  });
}
