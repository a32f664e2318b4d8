import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createServer, type ServerHandlers } from '@jato/native-loop';
import { workerListenPort, workerReady } from '../cluster/worker.js';
import type { App } from './app.js';
import type { ListenOptions, ListeningApp } from './options.js';
import { resolvePort } from './port.js';

/**
 * Serve `app`: in one process, or (workers > 1 in the primary) through the workers supervisor; in a
 * cluster worker, with SO_REUSEPORT so sibling workers share the port.
 * @internal
 */
export async function listenApp(app: App<object>, options: ListenOptions): Promise<ListeningApp> {
  const workers = options.workers === 'auto' ? availableParallelism() : (options.workers ?? 1);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`workers must be a positive integer or 'auto', got ${String(options.workers)}`);
  }
  const port = resolvePort(options.port ?? 8080);
  const host = options.host ?? '0.0.0.0';
  const reusePort = options.reusePort === true;
  if (workers > 1 && cluster.isPrimary) {
    const { superviseApp } = await import('./supervise.js');
    return superviseApp({ port, host, workers, reusePort });
  }
  const inWorker = cluster.isWorker;
  if (reusePort && !inWorker) {
    try {
      app.config.logger.warn({ port }, `jato: reusePort is set: port ${port} may be shared with other processes`);
    } catch {
      /* a broken logger does not stop the server */
    }
  }
  const listenPort = inWorker ? workerListenPort(port) : port;
  const dispatcher = app.dispatcher();
  const handlers: ServerHandlers = {
    onBatch: dispatcher.onBatch, onConnectionClose: dispatcher.onConnectionClose, onBodyChunks: dispatcher.onBodyChunks,
  };
  app.wsApps.wire(dispatcher, handlers, app.settings.limits?.highWaterMark);
  const o = app.settings;
  const limits = app.transportLimits();
  const server = createServer(
    {
      host,
      port: listenPort,
      // the supervisor made sure the port is this app's (unless reusePort), see superviseWorkers
      reusePort: inWorker || reusePort,
      serverName: o.serverName ?? 'jato',
      transport: o.transport ?? 'auto',
      ...(limits !== undefined ? { limits } : {}),
      ...(o.timeouts !== undefined ? { timeouts: o.timeouts } : {}),
    },
    handlers,
  );
  dispatcher.setTransport(server);
  const addr = await server.listen();
  const close = (deadlineMs?: number): Promise<void> => {
    app.markShuttingDown(); // readiness probes answer 503 from now on
    dispatcher.shutDown(); // what is answered from now on says Connection: close
    return keepAliveUntil(server.close(deadlineMs), deadlineMs);
  };
  const handle: ListeningApp = { address: addr.address, port: addr.port, transport: server.transport, close };
  // In a worker started by the supervisor: report readiness, drain on its request or on SIGTERM.
  if (inWorker) workerReady({ ...addr, close });
  else if (options.handleSignals !== false) drainOnSignals(handle);
  return handle;
}

/** Default deadline of `close()` (the transports'), milliseconds. */
const CLOSE_DEADLINE_MS = 10_000;

/**
 * Keeps the process alive until `closing` settles (at most the deadline plus a second). While a
 * server drains, handlers may be awaiting plain promises that hold no libuv handle (a timer that
 * was unref'd, work resolved by another module): without this the event loop could empty and the
 * process exit with those requests unanswered instead of draining them up to the deadline.
 */
function keepAliveUntil(closing: Promise<void>, deadlineMs = CLOSE_DEADLINE_MS): Promise<void> {
  const hold = setTimeout(() => {}, Math.max(0, deadlineMs) + 1_000);
  const release = (): void => clearTimeout(hold);
  closing.then(release, release);
  return closing;
}

/** Deadline for in-flight requests when a signal stops a single-process app (milliseconds). */
const SIGNAL_DRAIN_MS = 10_000;

/** SIGTERM/SIGINT: close gracefully and exit 0 (1 if closing failed); a second signal exits at once. */
function drainOnSignals(handle: ListeningApp): void {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    handle.close(SIGNAL_DRAIN_MS).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
