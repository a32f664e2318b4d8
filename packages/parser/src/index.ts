/**
 * `@jato/parser`: a strict HTTP/1.1 request parser with two implementations of one contract
 * (StreamParser, see types.ts): the native binding over the header-only C++ parser
 * (include/jato/parser) and a pure TypeScript twin.
 */
export * from './types.js';
export { createTsParser } from './ts/index.js';
export * from './protocol/index.js';
export * from './native.js';
