import { addonOrigin, loadAddon } from './addon.js';
import { runtimeName } from './runtime-support.js';

/** What `transport: 'auto'` picks on this machine and why (for `jato info` and bug reports). */
export interface TransportStatus {
  /** `node 22.11.0`, `bun 1.4.4`, `deno 2.9.6`. */
  runtime: string;
  /** The transport `'auto'` picks. */
  transport: 'native' | 'js';
  /** Where the native addon came from, when it loaded. */
  origin?: 'prebuilt' | 'local build' | 'environment';
  /** Why the native transport is unavailable, when it is. */
  reason?: string;
}

/** Reports the transport `'auto'` picks (loads the addon, as `createServer` would). */
export function transportStatus(): TransportStatus {
  const addon = loadAddon();
  if (addon instanceof Error) return { runtime: runtimeName(), transport: 'js', reason: addon.message };
  const origin = addonOrigin();
  return { runtime: runtimeName(), transport: 'native', ...(origin ? { origin } : {}) };
}
