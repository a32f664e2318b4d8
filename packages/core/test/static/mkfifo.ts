import { execFileSync } from 'node:child_process';

/** Create a FIFO (named pipe) at `path` with mkfifo(1). */
export function mkfifoSync(path: string): void {
  execFileSync('mkfifo', [path]);
}
