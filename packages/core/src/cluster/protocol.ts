/** Environment variable set to '1' in workers started by `superviseWorkers`. */
export const SUPERVISED_ENV = 'JATO_SUPERVISED_WORKER';
/** Environment variable holding the port a supervised worker must bind (when the primary knows it). */
export const PORT_ENV = 'JATO_WORKER_PORT';
/** Environment variable holding the worker's slot (0 … workers-1), stable across respawns. */
export const SLOT_ENV = 'JATO_WORKER_SLOT';

/** Worker → primary: the worker's server is listening. */
export interface ReadyMessage {
  jato: 'ready';
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** Primary → worker: stop accepting, finish in-flight requests within `deadlineMs`, exit 0. */
export interface DrainMessage {
  jato: 'drain';
  deadlineMs: number;
}

export function isReadyMessage(msg: unknown): msg is ReadyMessage {
  return typeof msg === 'object' && msg !== null && (msg as { jato?: unknown }).jato === 'ready';
}

export function isDrainMessage(msg: unknown): msg is DrainMessage {
  return typeof msg === 'object' && msg !== null && (msg as { jato?: unknown }).jato === 'drain';
}
