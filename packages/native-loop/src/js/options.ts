import { resolveLimits } from '@jato/parser';
import type { ServerOptions } from '../types.js';

/** Every limit and timeout of a server with the defaults of `types.ts` filled in. */
export interface ResolvedOptions {
  host: string;
  port: number;
  serverName: string;
  maxHeadBytes: number;
  maxHeaders: number;
  maxBodyBytes: number;
  maxInFlight: number;
  highWaterMark: number;
  headersTimeout: number;
  bodyGrace: number;
  bodyMinRate: number;
  keepAliveTimeout: number;
  writeTimeout: number;
  /** Streamed bodies (see stream-input.ts): 0 when off. */
  maxStreamBodyBytes: number;
  bodyWindow: number;
  maxDiscardBytes: number;
}

/** Fills the documented defaults (the same as the native transport's) into `options`. */
export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const limits = options.limits ?? {};
  const timeouts = options.timeouts ?? {};
  const parser = resolveLimits(limits, '@jato/native-loop');
  return {
    host: options.host ?? '0.0.0.0',
    port: options.port ?? 0,
    serverName: options.serverName ?? 'jato',
    maxHeadBytes: parser.maxHeadBytes,
    maxHeaders: parser.maxHeaders,
    maxBodyBytes: parser.maxBodyBytes,
    maxInFlight: limits.maxInFlight ?? 128,
    highWaterMark: limits.highWaterMark ?? 1024 * 1024,
    headersTimeout: timeouts.headers ?? 10_000,
    bodyGrace: timeouts.bodyGrace ?? 5_000,
    bodyMinRate: timeouts.bodyMinRate ?? 240,
    keepAliveTimeout: timeouts.keepAlive ?? 5_000,
    writeTimeout: timeouts.write ?? 10_000,
    maxStreamBodyBytes: streamLimit(limits.maxStreamBodyBytes),
    bodyWindow: positive(limits.bodyWindow, 256 * 1024, 'bodyWindow'),
    maxDiscardBytes: positive(limits.maxDiscardBytes, 1024 * 1024, 'maxDiscardBytes'),
  };
}

function streamLimit(v: number | undefined): number {
  if (v === undefined) return 0;
  if (v === Infinity || (Number.isSafeInteger(v) && v >= 0)) return v;
  throw new RangeError(`@jato/native-loop: limits.maxStreamBodyBytes must be a safe integer >= 0 or Infinity, got ${String(v)}`);
}

function positive(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (Number.isSafeInteger(v) && v >= 0) return v;
  throw new RangeError(`@jato/native-loop: limits.${name} must be a safe integer >= 0, got ${String(v)}`);
}
