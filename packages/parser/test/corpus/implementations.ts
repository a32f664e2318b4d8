/**
 * Every implementation of the StreamParser contract the shared suites run against.
 */
import { createTsParser } from '../../src/ts/index.js';
import { createNativeParser, nativeAvailable, nativeLoadError } from '../../src/native.js';
import type { StreamParserFactory } from '../../src/types.js';

export interface Implementation {
  name: string;
  create: StreamParserFactory;
}

/** The TypeScript parser, and the native one when its addon is built. */
export const implementations: Implementation[] = [{ name: 'ts', create: createTsParser }];
if (nativeAvailable) implementations.push({ name: 'native', create: createNativeParser });

export { nativeAvailable, nativeLoadError };
