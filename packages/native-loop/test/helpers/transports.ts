import { createJsServer } from '../../src/js/index.js';
import { createNativeServer } from '../../src/native/server.js';
import type { HttpServer, ServerHandlers, ServerOptions } from '../../src/types.js';
import { RawClient } from './raw-client.js';

/** The transports the shared integration tests run against. */
export const TRANSPORTS = [
  { name: 'native', create: createNativeServer },
  { name: 'js', create: createJsServer },
] as const;

export type TransportCase = (typeof TRANSPORTS)[number];

/** Servers and clients a test opened; `cleanup()` closes them (call it in afterEach). */
export function harness(create: (o: ServerOptions, h: ServerHandlers) => HttpServer) {
  const servers: HttpServer[] = [];
  const clients: RawClient[] = [];
  return {
    async start(handlers: ServerHandlers, options: ServerOptions = {}) {
      const server = create({ host: '127.0.0.1', port: 0, ...options }, handlers);
      servers.push(server);
      const addr = await server.listen();
      return { server, port: addr.port };
    },
    async connect(port: number, host?: string) {
      const c = await RawClient.connect(port, host);
      clients.push(c);
      return c;
    },
    async cleanup() {
      for (const c of clients.splice(0)) c.destroy();
      await Promise.all(servers.splice(0).map((s) => s.close(500)));
    },
  };
}

/** A handler answering each request with `<method> <target> <body>` (200, text/plain). */
export const echoHandlers: ServerHandlers = {
  onBatch(batch, out) {
    for (let i = 0; i < batch.count; i++) {
      const body = `${batch.methodName(i)} ${batch.target(i)} ${Buffer.from(batch.body(i)).toString('latin1')}`;
      out.respond(batch.conn(i), batch.seq(i), ok(Buffer.byteLength(body)), body, false);
    }
  },
};

/** A 200 head with Content-Length n. */
export const ok = (n: number, extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${n}\r\n\r\n`;
