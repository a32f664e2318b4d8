import { superviseWorkers } from '../cluster/index.js';
import type { ListeningApp } from './options.js';

/**
 * The primary of a multi-worker app: fork `workers` processes that re-run this script (each takes
 * the worker branch of `listen()`), respawn crashed ones with backoff and drain them all on close,
 * SIGTERM or SIGINT. Kept in its own module so single-process apps never load it.
 * @internal
 */
export async function superviseApp(options: { port: number; host: string; workers: number; reusePort: boolean }): Promise<ListeningApp> {
  const handle = await superviseWorkers({
    workers: options.workers,
    port: options.port,
    host: options.host,
    reusePort: options.reusePort,
  });
  return {
    address: handle.address,
    port: handle.port,
    transport: 'workers',
    close: (deadlineMs?: number) => handle.close(deadlineMs),
  };
}
