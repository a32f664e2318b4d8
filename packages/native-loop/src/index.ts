/**
 * `@jato/native-loop`: HTTP/1.1 server sockets for jato. Two transports behind one contract
 * (`types.ts`): the native one (C++ on Node's own libuv loop, one JS call per batch of requests) and a
 * pure-JS one (node:net), chosen by `options.transport`.
 */
import { createJsServer } from './js/index.js';
import { createNativeServer } from './native/server.js';
import { loadAddon } from './native/addon.js';
import type { HttpServer, ServerHandlers, ServerOptions } from './types.js';

export * from './types.js';
export { CLOSED_STREAM } from './stream-output.js';
export { createNativeServer, nativeAvailable } from './native/server.js';
export { transportStatus, type TransportStatus } from './native/status.js';
export { createJsServer, inject, parseResponses, resolveOptions } from './js/index.js';
export type { RawResponse, ParseResponsesOptions, ResolvedOptions } from './js/index.js';

let warned = false;

/**
 * Creates an HTTP/1.1 server. `options.transport`: 'native' (throws if the addon is unavailable),
 * 'js' (node:net), or 'auto' (default: native, else JS with one console warning per process).
 *
 * @example
 * const server = createServer({ port: 8080 }, {
 *   onBatch(batch, out) {
 *     for (let i = 0; i < batch.count; i++) {
 *       out.respond(batch.conn(i), batch.seq(i),
 *         'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n', 'Hello world!', false);
 *     }
 *   },
 * });
 * await server.listen();
 */
export function createServer(options: ServerOptions, handlers: ServerHandlers): HttpServer {
  const transport = options.transport ?? 'auto';
  if (transport === 'js') return createJsServer(options, handlers);
  if (transport === 'native') return createNativeServer(options, handlers);
  const addon = loadAddon();
  if (addon instanceof Error) {
    if (!warned) {
      warned = true;
      console.warn(`@jato/native-loop: native transport unavailable (${addon.message}); using the JS transport`);
    }
    return createJsServer(options, handlers);
  }
  return createNativeServer(options, handlers);
}
