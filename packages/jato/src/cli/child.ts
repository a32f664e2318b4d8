import { spawn } from 'node:child_process';
import os from 'node:os';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `node <args>` as a child with this process's stdio and resolves to its exit code. SIGINT,
 * SIGTERM and SIGHUP sent to this process are forwarded to the child, and the child watches this
 * process (`JATO_WATCH_PARENT=1`, see parent-watch.ts) so it never outlives it, even after a SIGKILL.
 */
export function runNodeChild(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      stdio: 'inherit',
      env: { ...process.env, JATO_WATCH_PARENT: '1' },
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    child.on('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
    });
    child.on('error', (error) => {
      process.stderr.write(`jato: cannot start ${process.execPath}: ${error.message}\n`);
      resolve(1);
    });
  });
}
