import cluster from 'node:cluster';
import type { ListeningApp } from '@jato/core';
import { CliError } from './cli-error.js';
import { loadApp, resolveEntry } from './load-app.js';
import { startedByPackageManager, watchParent } from './parent-watch.js';

/** Options of `jato serve`. */
export interface ServeOptions {
  entry: string;
  port: number;
  host: string;
  workers: number | 'auto';
  /** Where the `jato listening on …` line goes (stdout). */
  print?: (line: string) => void;
}

/** `http://HOST:PORT` of a bound address (IPv6 in brackets). */
export function urlOf(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * `jato serve`: loads the app and calls `app.listen({ port, host, workers })`. The primary prints
 * `jato listening on http://HOST:PORT`; with several workers, the workers re-run this same command.
 * SIGTERM/SIGINT are the app's: `listen()` drains gracefully and exits 0 (the supervisor does the
 * same for all workers). Started by a package manager or by jato itself, it also stops that way when
 * its parent process exits (parent-watch.ts), so `npx jato serve` never leaves an orphan.
 */
export async function serve(options: ServeOptions): Promise<ListeningApp> {
  const file = resolveEntry(options.entry);
  const app = await loadApp(file);
  let handle: ListeningApp;
  try {
    handle = await app.listen({ port: options.port, host: options.host, workers: options.workers });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      throw new CliError(`cannot listen on ${options.host}:${options.port}: ${err.code}`);
    }
    throw error;
  }
  if (cluster.isPrimary && (process.env['JATO_WATCH_PARENT'] === '1' || startedByPackageManager())) {
    // never outlive the process that started us (npx, npm start, jato dev): stop as on SIGTERM
    watchParent(() => process.kill(process.pid, 'SIGTERM'));
  }
  if (cluster.isPrimary) {
    (options.print ?? ((line) => process.stdout.write(`${line}\n`)))(`jato listening on ${urlOf(handle.address, handle.port)}`);
  }
  return handle;
}
