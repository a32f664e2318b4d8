import { createJsServer } from '../../../src/js/index.js';
import type { HttpServer, ServerHandlers, ServerOptions } from '../../../src/types.js';
import { RawClient } from './raw-client.js';

/** Servers and clients a test file opened; `cleanup()` closes them all (call it in afterEach). */
export function harness() {
  const servers: HttpServer[] = [];
  const clients: RawClient[] = [];
  return {
    async start(handlers: ServerHandlers, options: ServerOptions = {}) {
      const server = createJsServer({ host: '127.0.0.1', port: 0, ...options }, handlers);
      servers.push(server);
      const addr = await server.listen();
      return { server, port: addr.port };
    },
    async connect(port: number, host?: string, allowHalfOpen?: boolean) {
      const client = await RawClient.connect(port, host, { allowHalfOpen });
      clients.push(client);
      return client;
    },
    async cleanup() {
      for (const c of clients.splice(0)) c.destroy();
      await Promise.all(servers.splice(0).map((s) => s.close(1000)));
    },
  };
}

/** A promise with its resolve function, for waiting on events. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The workspace's one seeded PRNG, for reproducible random delays. */
export { seeded } from '../../helpers/raw-client.js';

export const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
