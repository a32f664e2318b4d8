import cluster from 'node:cluster';
import { isDrainMessage, PORT_ENV, SUPERVISED_ENV, type ReadyMessage } from './protocol.js';

/** Default drain deadline when a worker receives SIGTERM/SIGINT itself (milliseconds). */
const SIGNAL_DRAIN_MS = 10_000;

/** What a worker reports: its listening server. */
export interface WorkerServer {
  address: string;
  port: number;
  family?: 'IPv4' | 'IPv6';
  /** Graceful close: stop accepting, finish in-flight requests until the deadline. */
  close(deadlineMs?: number): Promise<void>;
}

/** True in a worker process started by `superviseWorkers`. */
export function isSupervisedWorker(): boolean {
  return cluster.isWorker && process.env[SUPERVISED_ENV] === '1';
}

/**
 * The port a worker must listen on: the supervisor's (all workers share one port, also when the
 * app asked for port 0) in a supervised worker, else `requested`.
 */
export function workerListenPort(requested: number): number {
  const assigned = isSupervisedWorker() ? Number(process.env[PORT_ENV]) : NaN;
  return Number.isInteger(assigned) && assigned > 0 ? assigned : requested;
}

let reported = false;

/**
 * Called by a supervised worker once its server listens: tells the primary (which resolves
 * `superviseWorkers` once every worker did), and drains on the primary's request or on the
 * worker's own SIGTERM/SIGINT: `server.close(deadline)`, then exit 0 (1 if close failed).
 * Does nothing outside a supervised worker.
 */
export function workerReady(server: WorkerServer): void {
  if (!isSupervisedWorker() || process.send === undefined || reported) return;
  reported = true;
  let draining = false;
  const drain = (deadlineMs: number): void => {
    if (draining) return;
    draining = true;
    server.close(deadlineMs).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('message', (msg: unknown) => {
    if (isDrainMessage(msg)) drain(msg.deadlineMs);
  });
  // A terminal's Ctrl-C reaches the whole process group: drain instead of dying mid-request.
  process.on('SIGTERM', () => drain(SIGNAL_DRAIN_MS));
  process.on('SIGINT', () => drain(SIGNAL_DRAIN_MS));
  const family = server.family ?? (server.address.includes(':') ? 'IPv6' : 'IPv4');
  const ready: ReadyMessage = { jato: 'ready', address: server.address, port: server.port, family };
  process.send(ready);
}
