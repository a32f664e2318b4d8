import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { Backoff, type BackoffOptions } from './backoff.js';
import { resolvePort } from '../app/port.js';
import { findFreePort, probePortExclusive } from './free-port.js';
import { isReadyMessage, PORT_ENV, SLOT_ENV, SUPERVISED_ENV, type ReadyMessage } from './protocol.js';

/** Options of `superviseWorkers`. */
export interface SuperviseOptions {
  /** Number of worker processes, or 'auto' for `os.availableParallelism()`. */
  workers: number | 'auto';
  /** Port every worker binds; 0 or absent: a free port chosen once by the primary. */
  port?: number;
  /** Interface the workers bind, used to choose a free port ('0.0.0.0'). */
  host?: string;
  /**
   * Allow the port to be shared with processes outside this supervisor (false). By default the
   * primary first binds the port exclusively (without SO_REUSEPORT) and fails with `EADDRINUSE`
   * when another process holds it, so a second, unrelated deployment never silently joins the
   * first one's SO_REUSEPORT group; its own workers then share the port among themselves.
   */
  reusePort?: boolean;
  /** Script the workers run (node:cluster default: this process's `process.argv[1]`). */
  exec?: string;
  /** Arguments of the workers' script (default: this process's). */
  args?: string[];
  /** Node options of the workers (default: this process's `process.execArgv`). */
  execArgv?: string[];
  /** Extra environment variables of the workers. */
  env?: Record<string, string>;
  /** Respawn backoff of crashed workers. */
  backoff?: BackoffOptions;
  /** Deadline given to workers to finish in-flight requests on close/SIGTERM/SIGINT (10 000 ms). */
  drainDeadlineMs?: number;
  /** Extra time after the drain deadline before a worker is killed with SIGKILL (2 000 ms). */
  killAfterMs?: number;
  /** A worker that has not reported ready in this time fails the start-up (30 000 ms). */
  readyTimeoutMs?: number;
  /** Drain every worker and exit 0 on SIGTERM/SIGINT; a second signal kills them and exits 1 (true). */
  handleSignals?: boolean;
  /** Where supervisor messages go (stderr with a `jato:` prefix); false silences them. */
  log?: ((line: string) => void) | false;
  /** Observes worker lifecycle events (tests, metrics). */
  onEvent?: (event: SupervisorEvent) => void;
}

/** Lifecycle events of the supervised workers. */
export type SupervisorEvent =
  | { type: 'ready'; slot: number; pid: number; address: string; port: number }
  | { type: 'exit'; slot: number; pid: number; code: number | null; signal: string | null; expected: boolean }
  | { type: 'respawn'; slot: number; delayMs: number }
  | { type: 'stopped' };

/** The running workers, as `superviseWorkers` resolves them. */
export interface SupervisorHandle {
  /** Address the workers listen on. */
  readonly address: string;
  /** Port the workers share. */
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
  /** Number of worker slots. */
  readonly workers: number;
  /** Process ids of the live workers. */
  pids(): number[];
  /** Drain every worker (stop accepting, finish in-flight requests until the deadline) and wait for them to exit. */
  close(deadlineMs?: number): Promise<void>;
}

interface Slot {
  index: number;
  worker: Worker | undefined;
  startedAt: number;
  ready: boolean;
  backoff: Backoff;
  respawnTimer: NodeJS.Timeout | undefined;
}

/** Resolves `workers` to a positive integer or throws a RangeError naming the bad value. */
export function resolveWorkerCount(workers: number | 'auto'): number {
  const count = workers === 'auto' ? availableParallelism() : workers;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`workers must be a positive integer or 'auto', got ${String(workers)}`);
  }
  return count;
}

/**
 * Starts and supervises worker processes (node:cluster) that serve one port, from the primary:
 * forks N workers, resolves once every one reported `workerReady`; respawns a worker that dies
 * with exponential backoff (reset after a stable uptime); on `close()` — and on SIGTERM/SIGINT,
 * after which the primary exits 0 — asks every worker to drain and waits for them to exit.
 * A worker that dies before it is ready during start-up fails the start-up (rejects).
 */
export async function superviseWorkers(options: SuperviseOptions): Promise<SupervisorHandle> {
  if (!cluster.isPrimary) throw new Error('superviseWorkers must run in the primary process');
  const count = resolveWorkerCount(options.workers);
  const host = options.host ?? '0.0.0.0';
  const requested = resolvePort(options.port ?? 0);
  const log = options.log === false ? () => {} : (options.log ?? ((line: string) => console.error(`jato: ${line}`)));
  let port: number;
  if (requested === 0) port = await findFreePort(host);
  else {
    port = requested;
    if (options.reusePort === true) log(`reusePort is set: port ${port} may be shared with other processes`);
    else await probePortExclusive(host, port);
  }
  const drainDeadlineMs = options.drainDeadlineMs ?? 10_000;
  const killAfterMs = options.killAfterMs ?? 2_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const emit = (event: SupervisorEvent): void => options.onEvent?.(event);

  const setup: Parameters<typeof cluster.setupPrimary>[0] = {};
  if (options.exec !== undefined) setup.exec = options.exec;
  if (options.args !== undefined) setup.args = options.args;
  if (options.execArgv !== undefined) setup.execArgv = options.execArgv;
  cluster.setupPrimary(setup);

  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    index,
    worker: undefined,
    startedAt: 0,
    ready: false,
    backoff: new Backoff(options.backoff),
    respawnTimer: undefined,
  }));
  let starting = true;
  let stopping: Promise<void> | undefined;
  let first: ReadyMessage | undefined;
  let startFailed: ((error: Error) => void) | undefined;
  let allReady: (() => void) | undefined;
  const exitWaiters: Array<() => void> = [];

  const live = (): Slot[] => slots.filter((s) => s.worker !== undefined);

  const fork = (slot: Slot): void => {
    slot.ready = false;
    slot.startedAt = Date.now();
    const worker = cluster.fork({
      ...options.env,
      [SUPERVISED_ENV]: '1',
      [SLOT_ENV]: String(slot.index),
      [PORT_ENV]: String(port),
    });
    slot.worker = worker;
    worker.on('message', (msg: unknown) => {
      if (!isReadyMessage(msg) || slot.worker !== worker) return;
      slot.ready = true;
      first ??= msg;
      emit({ type: 'ready', slot: slot.index, pid: worker.process.pid ?? 0, address: msg.address, port: msg.port });
      if (starting && slots.every((s) => s.ready)) allReady?.();
    });
    worker.on('error', () => {
      // IPC errors of a dying worker: its 'exit' follows.
    });
    worker.on('exit', (code: number | null, signal: string | null) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      const expected = stopping !== undefined;
      const pid = worker.process.pid ?? 0;
      emit({ type: 'exit', slot: slot.index, pid, code, signal, expected });
      if (expected) {
        if (live().length === 0) for (const wake of exitWaiters.splice(0)) wake();
        return;
      }
      const how = signal !== null ? `signal ${signal}` : `code ${String(code)}`;
      if (starting) {
        startFailed?.(new Error(`worker ${slot.index} (pid ${pid}) exited with ${how} before listening`));
        return;
      }
      const delayMs = slot.backoff.next(Date.now() - slot.startedAt);
      log(`worker ${slot.index} (pid ${pid}) exited with ${how}; restarting in ${delayMs} ms`);
      emit({ type: 'respawn', slot: slot.index, delayMs });
      slot.respawnTimer = setTimeout(() => {
        slot.respawnTimer = undefined;
        if (stopping === undefined) fork(slot);
      }, delayMs);
    });
  };

  const stop = (deadlineMs: number): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      for (const slot of slots) {
        clearTimeout(slot.respawnTimer);
        slot.respawnTimer = undefined;
      }
      const kill = setTimeout(() => {
        for (const slot of live()) slot.worker?.process.kill('SIGKILL');
      }, deadlineMs + killAfterMs);
      const finish = (): void => {
        clearTimeout(kill);
        removeSignalHandlers();
        emit({ type: 'stopped' });
        resolve();
      };
      if (live().length === 0) {
        finish();
        return;
      }
      exitWaiters.push(finish);
      for (const slot of live()) {
        const worker = slot.worker!;
        if (slot.ready && worker.isConnected()) worker.send({ jato: 'drain', deadlineMs });
        else worker.process.kill('SIGTERM');
      }
    });
    return stopping;
  };

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log(`${signal} again: killing ${live().length} workers`);
      for (const slot of live()) slot.worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    log(`${signal}: draining ${live().length} workers`);
    void stop(drainDeadlineMs).then(() => process.exit(0));
  };
  const removeSignalHandlers = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (options.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`workers did not report ready within ${readyTimeoutMs} ms`));
      }, readyTimeoutMs);
      allReady = () => {
        clearTimeout(timer);
        resolve();
      };
      startFailed = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      for (const slot of slots) fork(slot);
    });
  } catch (error) {
    await stop(0);
    throw error;
  } finally {
    starting = false;
  }

  const ready = first!;
  return {
    address: ready.address,
    port: ready.port,
    family: ready.family,
    workers: count,
    pids: () => live().map((s) => s.worker!.process.pid ?? 0),
    close: (deadlineMs = drainDeadlineMs) => stop(deadlineMs),
  };
}
