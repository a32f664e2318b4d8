/**
 * jato — a TypeScript micro-framework for Node.js micro-services with a native HTTP core.
 * Everything from `@jato/core`; the test helpers are under `jato/testing`.
 */
export * from '@jato/core';
