/**
 * Per-request flag bits: a parsed request's booleans packed into one number, as the native loop's
 * batch table carries them (FLAGS column; `kFlag*` in the loop's batch layout) and both transports
 * hand them to `@jato/core`. Hot code should copy a bit into a module-level `const` once.
 */
export const RequestFlag = Object.freeze({
  /** The connection stays open after this request (version default and `Connection` tokens). */
  KeepAlive: 1,
  /** The request line said HTTP/1.0. */
  Http10: 2,
  /** `Expect: 100-continue`. */
  ExpectContinue: 4,
  /** `Connection: upgrade` with an `Upgrade` header. */
  Upgrade: 8,
  /** The body was chunked (decoded before it reaches JS). */
  Chunked: 16,
} as const);

/** One flag bit (see `RequestFlag`); a request's flags are an OR of these. */
export type RequestFlag = (typeof RequestFlag)[keyof typeof RequestFlag];
