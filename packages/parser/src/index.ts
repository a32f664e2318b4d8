/**
 * `@jato/parser`: a strict HTTP/1.1 request parser with two implementations of one contract:
 * the native binding (header-only C++, see include/jato/parser) and a pure TypeScript twin.
 */
export * from './types.js';
export { createTsParser, DEFAULT_LIMITS } from './ts/index.js';
