import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type AddonCandidate, type AddonOrigin, addonCandidates, buildCommand, platformKey } from '@jato/parser';
import type { ResolvedOptions } from '../js/options.js';
import { runtimeUnsupported } from './runtime-support.js';

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
  /** Body-chunk table of streamed request bodies (see native/body_stream.hpp). */
  bodies: ArrayBuffer;
  /** The body buffers of the current call's chunk rows (Node Buffers JS keeps; see native/body_buffer.cc). */
  bodyBuffers: Uint8Array[];
  /** WebSocket event table (WsCol). */
  ws: ArrayBuffer;
}

/** One native server instance (class NativeServer in native/addon.cc). */
export interface NativeServerHandle {
  listen(): { address: string; port: number; family: 'IPv4' | 'IPv6' };
  inputBuffers(): InputBuffers;
  setOutput(arena: Uint8Array, table: Uint32Array): void;
  /** `lent`: the Uint8Arrays rows with OUT_LENT_OFF point into, read during this call only. */
  flush(rows: number, lent?: readonly Uint8Array[]): void;
  close(deadlineMs: number): void;
  stats(): { connections: number; accepted: number; inFlight: number; requests: number; bytesRead: number; bytesWritten: number };
  remote(conn: number): { address: string; port: number } | undefined;
  /** JS consumed `bytes` of the streamed body of (conn, seq) (see `BodyStreamControl.bodyRead`). */
  bodyRead(conn: number, seq: number, bytes: number, borrowed?: boolean): void;
  /** Unsent bytes of a WebSocket connection (-1: gone). */
  wsBuffered(conn: number): number;
}

/** The addon's exports. */
export interface NativeAddon {
  NativeServer: new (
    options: NativeOptions,
    dispatch: (count: number, closed: number, resized: boolean, wsCount: number) => number,
    onClosed: () => void,
  ) => NativeServerHandle;
  abiVersion: number;
}

const ADDON_FILE = 'jato_native_loop.node';
let cached: NativeAddon | Error | undefined;
let cachedOrigin: AddonOrigin | undefined;

/** Where the addon is looked for: $JATO_NATIVE_LOOP_ADDON alone, else the prebuilt package, else build/Release from src/ or dist/. */
function candidates(): AddonCandidate[] {
  const local = ['../build/Release/', '../../build/Release/'].map((rel) =>
    fileURLToPath(new URL(rel + ADDON_FILE, import.meta.url)),
  );
  return addonCandidates(ADDON_FILE, local, process.env['JATO_NATIVE_LOOP_ADDON']);
}

/** Why no addon was found, with the command that builds it. */
function notFound(): Error {
  return new Error(`no prebuilt addon for ${platformKey()} and no local build; to build it: ${buildCommand('native-loop', import.meta.url)}`);
}

/**
 * Loads the native addon once. Returns the addon or the Error that explains why it is unavailable
 * (never throws). On a runtime that cannot run the native transport (see runtime-support.ts) the addon
 * is not even loaded.
 */
export function loadAddon(): NativeAddon | Error {
  if (cached) return cached;
  const unsupported = runtimeUnsupported();
  if (unsupported !== undefined) {
    cached = new Error(unsupported);
    return cached;
  }
  const require = createRequire(import.meta.url);
  let lastError: Error | undefined;
  for (const candidate of candidates()) {
    if (candidate.origin === 'environment' && !existsSync(candidate.file)) {
      lastError = new Error(`JATO_NATIVE_LOOP_ADDON points at ${candidate.file}, which does not exist`);
      continue;
    }
    try {
      cached = require(candidate.file) as NativeAddon;
      cachedOrigin = candidate.origin;
      return cached;
    } catch (err) {
      // one line: the warning of 'auto' quotes it (a require error carries its require stack)
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      lastError = new Error(`the ${candidate.origin} addon ${candidate.file} does not load: ${message}`, { cause: err });
    }
  }
  cached = lastError ?? notFound();
  return cached;
}

/** Where the loaded addon came from, once `loadAddon()` succeeded. */
export function addonOrigin(): AddonOrigin | undefined {
  return cachedOrigin;
}
