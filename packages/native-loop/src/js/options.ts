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
  };
}
