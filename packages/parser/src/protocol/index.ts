/**
 * The vocabulary every jato package shares, defined once: method ids and names, request flag bits,
 * reason phrases and default limits. `@jato/native-loop` re-exports it; `@jato/core` imports it from
 * there. A test checks it against the C++ headers.
 */
export { MethodId, METHOD_NAMES, methodIdOf } from './methods.js';
export { RequestFlag } from './request-flags.js';
export { STATUS_TEXT, reasonOf } from './status-text.js';
export {
  DEFAULT_LIMITS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_HEADERS, MAX_DEFAULT_HEADERS,
  MAX_HEADERS_LIMIT, defaultMaxHeaders, resolveLimits,
} from './limits.js';
