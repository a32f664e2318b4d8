import { inject } from '@jato/native-loop';
import type { App } from '../app/app.js';

/** Options of `injectRaw`. */
export interface InjectRawOptions {
  /** Transport limits for the virtual connection (default: the app's). */
  limits?: import('@jato/native-loop').TransportLimits;
}

/**
 * Send raw request bytes to `app` through an in-process virtual connection (no socket) and resolve to
 * the raw response bytes. It runs the same parser, batching, dispatch and encoding as real traffic;
 * several pipelined requests in `raw` give several responses. `@jato/testing`'s `inject` builds on it.
 */
export function injectRaw(app: App<object>, raw: Uint8Array, options: InjectRawOptions = {}): Promise<Uint8Array> {
  const limits = options.limits ?? app.transportLimits();
  return inject(app.handler(), raw, {
    serverName: app.settings.serverName ?? 'jato',
    ...(limits !== undefined ? { limits } : {}),
  });
}
