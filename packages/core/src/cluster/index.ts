/**
 * Multi-process serving for jato: a supervisor in the primary process and a readiness/drain hook
 * in each worker, over node:cluster.
 *
 * ## Contract with `app.listen({ port, host, workers })` (core)
 * ```ts
 * const count = resolveWorkerCount(workers ?? 1);
 * if (count > 1 && cluster.isPrimary) {
 *   // the primary serves nothing itself: it forks `count` workers that re-run this same script
 *   return superviseWorkers({ workers: count, port, host });     // → { address, port, close() }
 * }
 * // single process, or a worker (where this same listen() call runs again):
 * const server = createServer({ host, port: workerListenPort(port), reusePort: cluster.isWorker, … }, handlers);
 * const addr = await server.listen();
 * workerReady({ ...addr, close: (deadlineMs) => server.close(deadlineMs) });  // no-op outside a supervised worker
 * ```
 * - Workers re-run the primary's script (`process.argv[1]` with its arguments and `execArgv`), so the
 *   same `listen()` call runs in each worker and takes the worker branch. `exec`/`args` override that.
 * - Port: with `port` 0 (or absent) the primary picks one free port before forking and passes it
 *   to every worker (env `JATO_WORKER_PORT`, read by `workerListenPort`), so all workers share it.
 * - Native transport: each worker binds the port itself with SO_REUSEPORT (the kernel balances
 *   connections). JS transport: node:net cannot set SO_REUSEPORT on Node 20; in a cluster worker its
 *   `listen` goes through node:cluster's shared handle owned by the primary (round-robin), which
 *   serves the same purpose. Both work under this supervisor unchanged.
 * - Readiness: `superviseWorkers` resolves once every worker called `workerReady`; a worker that
 *   exits before that during start-up rejects it (a broken app must not respawn forever).
 * - Crashes after start-up: the worker's slot is respawned after 100 ms, doubling per consecutive
 *   crash up to 10 s; a worker that ran 10 s resets its slot's delay (`backoff` option).
 * - Shutdown: `handle.close(deadline)` or SIGTERM/SIGINT in the primary sends every worker
 *   `{ jato: 'drain', deadlineMs }`; the worker calls its server's `close(deadlineMs)` and exits 0;
 *   stragglers are killed `killAfterMs` after the deadline. After a signal the primary exits 0.
 *   A worker that gets SIGTERM/SIGINT itself (Ctrl-C reaches the process group) drains the same way.
 */
export { superviseWorkers, resolveWorkerCount } from './supervisor.js';
export type { SuperviseOptions, SupervisorEvent, SupervisorHandle } from './supervisor.js';
export { workerReady, workerListenPort, isSupervisedWorker } from './worker.js';
export type { WorkerServer } from './worker.js';
export { Backoff, type BackoffOptions } from './backoff.js';
