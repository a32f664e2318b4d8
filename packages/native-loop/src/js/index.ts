/**
 * The pure-JS transport of `@jato/native-loop`: node:net sockets and the TS parser, with the same
 * RequestBatch/Responder contract and behaviour as the native transport, plus `inject` (a virtual
 * connection without a socket) and `parseResponses` (raw response bytes → responses).
 */
export { createJsServer } from './server.js';
export { inject } from './inject.js';
export { parseResponses, type RawResponse, type ParseResponsesOptions } from './parse-responses.js';
export { resolveOptions, type ResolvedOptions } from './options.js';
