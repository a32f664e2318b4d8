import type { ParserLimits } from '../types.js';

/** Default `maxHeadBytes`: request line + header section, including the final CRLF (16 KiB). */
export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

/** Default `maxBodyBytes`, inclusive (1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The largest `maxHeaders` the parser accepts. */
export const MAX_HEADERS_LIMIT = 65_536;

/** The largest default `maxHeaders`: the native loop sizes its header scratch from it and caps it here. */
export const MAX_DEFAULT_HEADERS = 16_384;

/** The shortest header line, `a:` CRLF: a head of N bytes holds fewer than N / 4 header lines. */
const MIN_HEADER_LINE_BYTES = 4;

/**
 * The default `maxHeaders` for a head limit: `maxHeadBytes / 4` (at most `MAX_DEFAULT_HEADERS`), more
 * lines than fit in the head, so the byte limit is the real guard (as in Go and nginx, which count
 * no lines). 4096 for the default 16 KiB.
 */
export function defaultMaxHeaders(maxHeadBytes: number): number {
  return Math.min(Math.floor(maxHeadBytes / MIN_HEADER_LINE_BYTES), MAX_DEFAULT_HEADERS);
}

/** Default `maxHeaders` for the default head limit (4096). */
export const DEFAULT_MAX_HEADERS = defaultMaxHeaders(DEFAULT_MAX_HEAD_BYTES);

/** The framework's default limits (see ParserLimits); the transports and `@jato/core` use these. */
export const DEFAULT_LIMITS: Readonly<Required<ParserLimits>> = Object.freeze({
  maxHeadBytes: DEFAULT_MAX_HEAD_BYTES,
  maxHeaders: defaultMaxHeaders(DEFAULT_MAX_HEAD_BYTES),
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
});

/**
 * Fills in and checks parser limits: `maxHeadBytes` in [1, 2^31-1], `maxHeaders` in
 * [0, MAX_HEADERS_LIMIT] (default `defaultMaxHeaders(maxHeadBytes)`), `maxBodyBytes` a safe
 * integer ≥ 0. Throws a RangeError naming the bad limit.
 */
export function resolveLimits(limits: ParserLimits = {}, owner = '@jato/parser'): Required<ParserLimits> {
  const maxHeadBytes = checked(limits.maxHeadBytes, DEFAULT_MAX_HEAD_BYTES, 'maxHeadBytes', 1, 0x7fffffff, owner);
  return {
    maxHeadBytes,
    maxHeaders: checked(limits.maxHeaders, defaultMaxHeaders(maxHeadBytes), 'maxHeaders', 0, MAX_HEADERS_LIMIT, owner),
    maxBodyBytes: checked(limits.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes', 0, Number.MAX_SAFE_INTEGER, owner),
  };
}

function checked(value: number | undefined, fallback: number, name: string, min: number, max: number, owner: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${owner}: ${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return v;
}
