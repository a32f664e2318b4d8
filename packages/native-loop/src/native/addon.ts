import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ResolvedOptions } from '../js/options.js';

/** Options object the addon's constructor reads (flattened ServerOptions with defaults applied). */
export interface NativeOptions extends ResolvedOptions {
  reusePort: boolean;
  lingerTimeout: number;
}

/** The shared input memory of one server (see native/batch_layout.hpp). */
export interface InputBuffers {
  table: ArrayBuffer;
  headers: ArrayBuffer;
  arena: ArrayBuffer;
  closed: ArrayBuffer;
  date: ArrayBuffer;
}

/** One native server instance (class NativeServer in native/addon.cc). */
export interface NativeServerHandle {
  listen(): { address: string; port: number; family: 'IPv4' | 'IPv6' };
  inputBuffers(): InputBuffers;
  setOutput(arena: Uint8Array, table: Uint32Array): void;
  flush(rows: number): void;
  close(deadlineMs: number): void;
  stats(): { connections: number; inFlight: number; requests: number; bytesRead: number; bytesWritten: number };
  remote(conn: number): { address: string; port: number } | undefined;
}

/** The addon's exports. */
export interface NativeAddon {
  NativeServer: new (
    options: NativeOptions,
    dispatch: (count: number, closed: number, resized: boolean) => number,
    onClosed: () => void,
  ) => NativeServerHandle;
  abiVersion: number;
}

const ADDON_FILE = 'jato_native_loop.node';
let cached: NativeAddon | Error | undefined;

/** Where the compiled addon is looked for: $JATO_NATIVE_LOOP_ADDON alone, else build/Release from src/ or dist/. */
function candidates(): string[] {
  const list: string[] = [];
  const env = process.env['JATO_NATIVE_LOOP_ADDON'];
  if (env) return [env]; // an explicit build (e.g. the sanitizer run) or nothing
  for (const rel of ['../build/Release/', '../../build/Release/']) {
    list.push(fileURLToPath(new URL(rel + ADDON_FILE, import.meta.url)));
  }
  return list;
}

/**
 * Loads the native addon once. Returns the addon or the Error that explains why it is unavailable
 * (never throws).
 */
export function loadAddon(): NativeAddon | Error {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let lastError: unknown;
  for (const file of candidates()) {
    if (!existsSync(file)) continue;
    try {
      cached = require(file) as NativeAddon;
      return cached;
    } catch (err) {
      lastError = err;
    }
  }
  cached = lastError instanceof Error
    ? lastError
    : new Error(`@jato/native-loop: ${ADDON_FILE} not found (run the package build)`);
  return cached;
}
