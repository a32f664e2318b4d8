/**
 * `@jato/parser/native`: the native implementation of the parser contract, the header-only C++ parser
 * through its Node-API binding (the platform's prebuilt `jato_parser.node`, else
 * `build/Release/jato_parser.node`). Importing this module loads the addon; the package's main entry
 * never does. Meant for tests, tools and benchmarks; the server's hot path compiles the C++ headers
 * into `@jato/native-loop` instead.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type AddonOrigin, addonCandidates, buildCommand, platformKey } from './binding.js';
import {
  ERROR_CODES,
  statusOf,
  type ParsedRequest,
  type ParserLimits,
  type PushResult,
  type StreamParser,
  type StreamParserFactory,
} from './types.js';
import { resolveLimits } from './protocol/limits.js';

/** What the addon exports (see native/addon.cc). */
interface NativeBinding {
  createParser(maxHeadBytes: number, maxHeaders: number, maxBodyBytes: number): unknown;
  push(
    handle: unknown,
    chunk: Uint8Array,
  ): {
    requests: ParsedRequest[];
    error: number;
    state: number;
    awaiting?: { expectContinue: boolean; contentLength: number | undefined };
  };
  frameHeads(buf: Uint8Array): number;
  simdLevel(): number;
  simdSupported(): number;
  setSimdLevel(level: number): number;
}

let binding: NativeBinding | undefined;
let loadError: Error | undefined;
let bindingOrigin: AddonOrigin | undefined;
{
  // The prebuilt package's addon, else the local build (the same relative path works from src/ in
  // tests and from dist/ when built). JATO_PARSER_ADDON points at another build (the sanitizer run).
  const override = typeof process !== 'undefined' ? process.env.JATO_PARSER_ADDON : undefined;
  const local = fileURLToPath(new URL('../build/Release/jato_parser.node', import.meta.url));
  const candidates = addonCandidates('jato_parser.node', [local], override);
  for (const candidate of candidates) {
    try {
      binding = createRequire(import.meta.url)(candidate.file) as NativeBinding;
      bindingOrigin = candidate.origin;
      loadError = undefined;
      break;
    } catch (err) {
      loadError = err instanceof Error ? err : new Error(String(err));
    }
  }
  if (candidates.length === 0) {
    loadError = new Error(
      `no prebuilt addon for ${platformKey()} and no local build (to build it: ${buildCommand('parser', import.meta.url)})`,
    );
  }
}

/** Where the loaded addon came from (`'prebuilt'`, `'local build'`, `'environment'`), when it loaded. */
export const nativeOrigin: AddonOrigin | undefined = bindingOrigin;

/** True when the native addon loaded (the prebuilt package's, or one built by `jato-build-native`). */
export const nativeAvailable: boolean = binding !== undefined;

/** Why the addon did not load, when `nativeAvailable` is false. */
export const nativeLoadError: Error | undefined = loadError;

function native(): NativeBinding {
  if (binding === undefined) {
    throw new Error(`@jato/parser: the native addon is unavailable (${loadError?.message ?? 'not loaded'})`, {
      cause: loadError,
    });
  }
  return binding;
}

/** The SIMD implementations of the C++ scans. */
export type SimdLevelName = 'scalar' | 'sse42' | 'avx2';
const SIMD_LEVELS: readonly SimdLevelName[] = ['scalar', 'sse42', 'avx2'];

function levelName(n: number): SimdLevelName {
  return SIMD_LEVELS[n] ?? 'scalar';
}

/** The SIMD level the native scans use now (JATO_SIMD=scalar|sse42 lowers the default). */
export function nativeSimdLevel(): SimdLevelName {
  return levelName(native().simdLevel());
}

/** The best SIMD level this CPU supports. */
export function nativeSimdSupported(): SimdLevelName {
  return levelName(native().simdSupported());
}

/**
 * Selects the SIMD level of the native scans for the whole process (clamped to what the CPU
 * supports). Returns the level now in use. For tests that compare the scalar and vector paths.
 */
export function setNativeSimdLevel(level: SimdLevelName): SimdLevelName {
  const n = SIMD_LEVELS.indexOf(level);
  if (n < 0) throw new RangeError(`unknown SIMD level: ${String(level)}`);
  return levelName(native().setSimdLevel(n));
}

/**
 * Benchmark entry: frames every complete request in `buf` with one native call (heads parsed with
 * the default limits, bodies skipped or chunk-decoded) and returns how many there were. Stops at the
 * first incomplete or invalid request.
 */
export function nativeFrameHeads(buf: Uint8Array): number {
  return native().frameHeads(buf);
}

const STATES = ['idle', 'head', 'body', 'done'] as const;

/**
 * Creates a streaming parser for one connection backed by the C++ parser. The binding keeps the
 * unconsumed bytes of the connection; requests come back as plain objects (latin1 strings, copied body).
 * Throws when the addon is not available (see `nativeAvailable`).
 */
export const createNativeParser: StreamParserFactory = (limits?: ParserLimits): StreamParser => {
  const b = native();
  const l = resolveLimits(limits);
  const handle = b.createParser(l.maxHeadBytes, l.maxHeaders, l.maxBodyBytes);
  let state: StreamParser['state'] = 'idle';
  return {
    push(chunk: Uint8Array): PushResult {
      const r = b.push(handle, chunk);
      state = STATES[r.state] ?? 'done';
      const result: PushResult = { requests: r.requests };
      if (r.error !== 0) {
        const code = ERROR_CODES[r.error] ?? 'BadRequestLine';
        result.error = { code, status: statusOf(code) };
      }
      if (r.awaiting !== undefined) result.awaitingBody = r.awaiting;
      return result;
    },
    get state() {
      return state;
    },
  };
};
