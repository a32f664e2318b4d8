/**
 * `@jato/parser`: a strict HTTP/1.1 request parser with two implementations of one contract
 * (StreamParser, see types.ts): a pure TypeScript parser (this entry) and the native binding over the
 * header-only C++ parser (include/jato/parser), in the `@jato/parser/native` entry. This entry never
 * loads the addon.
 */
export * from './types.js';
export { createTsParser } from './ts/index.js';
export * from './protocol/index.js';
export { addonCandidates, bindingPackage, buildCommand, platformKey } from './binding.js';
export type { AddonCandidate, AddonOrigin } from './binding.js';
export * from './ts/ws-frame.js';
