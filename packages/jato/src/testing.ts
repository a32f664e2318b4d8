/** `jato/testing`: everything from `@jato/testing` (inject, startTestServer, rawRequest, …). */
export * from '@jato/testing';
