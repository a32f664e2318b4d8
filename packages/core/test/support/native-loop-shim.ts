// TEMPORARY: until @jato/native-loop's src/index.ts lands, route its API to the JS transport.
import { createJsServer, inject } from '../../../native-loop/src/js/index.js';
import type { ServerHandlers, ServerOptions } from '../../../native-loop/src/types.js';
export * from '../../../native-loop/src/types.js';
export { inject };
export function createServer(options: ServerOptions, handlers: ServerHandlers) {
  return createJsServer(options, handlers);
}
