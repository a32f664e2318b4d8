import { createRequire } from 'node:module';
import type * as Zlib from 'node:zlib';

let loaded: typeof Zlib | undefined;

/**
 * `node:zlib`, loaded on first use: an app that configures no compression (and no WebSocket
 * deflate) never loads it, and its memory stays out of the process. @internal
 */
export function zlib(): typeof Zlib {
  if (loaded !== undefined) return loaded;
  // process.getBuiltinModule: Node 20.16+; createRequire works in both the ESM and the CJS build
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  loaded = (typeof get === 'function' ? get('node:zlib') : createRequire(`${process.cwd()}/`)('node:zlib')) as typeof Zlib;
  return loaded;
}
