import { afterEach, describe, expect, it } from 'vitest';
import { createJsServer } from '../../src/js/index.js';
import type { HttpServer, ServerOptions } from '../../src/types.js';
import { RequestFlag } from '../../src/types.js';
import { echoHandlers, head } from './support/handlers.js';
import { RawClient } from './support/raw-client.js';

const servers: HttpServer[] = [];
const clients: RawClient[] = [];

async function start(handlers: Parameters<typeof createJsServer>[1], options: ServerOptions = {}) {
  const server = createJsServer({ host: '127.0.0.1', port: 0, ...options }, handlers);
  servers.push(server);
  const addr = await server.listen();
  return { server, port: addr.port, addr };
}

async function connect(port: number, host?: string, allowHalfOpen?: boolean) {
  const client = await RawClient.connect(port, host, { allowHalfOpen });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close(1000)));
});

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

describe('js transport: basics', () => {
  it('reports its transport and listen address', async () => {
    const { server, addr } = await start(echoHandlers());
    expect(server.transport).toBe('js');
    expect(addr.address).toBe('127.0.0.1');
    expect(addr.family).toBe('IPv4');
    expect(addr.port).toBeGreaterThan(0);
  });

  it('answers pipelined GETs in order, one batch for one read, one write back', async () => {
    const handlers = echoHandlers();
    const { port } = await start(handlers);
    const client = await connect(port);
    const paths = Array.from({ length: 24 }, (_, i) => `/p${i}`);
    await client.write(paths.map((p) => GET(p)).join(''));
    const responses = await client.responses(24);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(paths);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // one write of 24 short requests on loopback arrives as one read: one batch of 24
    expect(handlers.batches.length).toBe(1);
    expect(handlers.batches[0]!.map((r) => r.seq)).toEqual(paths.map((_, i) => i));
    expect(new Set(handlers.batches[0]!.map((r) => r.conn)).size).toBe(1);
  });

  it('exposes method, target, headers, flags and body of each request', async () => {
    const handlers = echoHandlers();
    const { port } = await start(handlers);
    const client = await connect(port);
    await client.write('POST /submit?a=1 HTTP/1.1\r\nHost: h\r\nX-Thing:  v1 \r\nContent-Length: 5\r\n\r\nhello');
    await client.responses(1);
    const [req] = handlers.batches.flat();
    expect(req).toMatchObject({ method: 'POST', target: '/submit?a=1', seq: 0 });
    expect(req!.headers).toEqual([['Host', 'h'], ['X-Thing', 'v1'], ['Content-Length', '5']]);
    expect(req!.body.toString()).toBe('hello');
    expect(req!.flags & RequestFlag.KeepAlive).toBe(RequestFlag.KeepAlive);
    expect(req!.flags & RequestFlag.Http10).toBe(0);
  });

  it('keeps the connection open between keep-alive requests', async () => {
    const handlers = echoHandlers();
    const { port } = await start(handlers);
    const client = await connect(port);
    await client.write(GET('/a'));
    await client.responses(1);
    await client.write(GET('/b'));
    const responses = await client.responses(2);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(['/a', '/b']);
    expect(client.endedAt).toBeUndefined();
  });

  it('closes after a request with Connection: close and ignores what follows', async () => {
    const handlers = echoHandlers();
    const { port } = await start(handlers);
    const client = await connect(port);
    await client.write(GET('/a') + GET('/b', 'Connection: close\r\n') + GET('/c'));
    await client.ended();
    const responses = await client.responses(2);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(['/a', '/b']);
    expect(handlers.batches.flat().map((r) => r.target)).toEqual(['/a', '/b']);
  });

  it('closes after an HTTP/1.0 request without keep-alive, keeps one with it', async () => {
    const handlers = echoHandlers();
    const { port } = await start(handlers);
    const keep = await connect(port);
    await keep.write('GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await keep.responses(1);
    await keep.write('GET /k2 HTTP/1.0\r\n\r\n');
    await keep.ended();
    expect((await keep.responses(2)).map((r) => Buffer.from(r.body).toString())).toEqual(['/k', '/k2']);
    const flags = handlers.batches.flat().map((r) => r.flags);
    expect(flags[0]! & (RequestFlag.Http10 | RequestFlag.KeepAlive)).toBe(RequestFlag.Http10 | RequestFlag.KeepAlive);
    expect(flags[1]! & (RequestFlag.Http10 | RequestFlag.KeepAlive)).toBe(RequestFlag.Http10);
  });

  it('closes after a response sent with close = true and drops later ones', async () => {
    const handlers = echoHandlers((req, out) => {
      if (req.target !== '/bye') return false;
      out.respond(req.conn, req.seq, head(200, 'bye', 'Connection: close\r\n'), 'bye', true);
      return true;
    });
    const { port } = await start(handlers);
    const client = await connect(port);
    await client.write(GET('/a') + GET('/bye') + GET('/c'));
    await client.ended();
    const bodies = (await client.responses(2)).map((r) => Buffer.from(r.body).toString());
    expect(bodies).toEqual(['/a', 'bye']);
  });

  it('serves IPv6', async () => {
    const { port, addr } = await start(echoHandlers(), { host: '::1' });
    expect(addr.family).toBe('IPv6');
    expect(addr.address).toBe('::1');
    const client = await connect(port, '::1');
    await client.write(GET('/six'));
    const [res] = await client.responses(1);
    expect(Buffer.from(res!.body).toString()).toBe('/six');
  });

  it('counts connections, requests and bytes, knows the remote, and reports closed connections', async () => {
    const handlers = echoHandlers();
    const { server, port } = await start(handlers);
    const client = await connect(port);
    const request = GET('/s');
    await client.write(request);
    await client.responses(1);
    const conn = handlers.batches[0]![0]!.conn;
    const remote = server.remote(conn);
    expect(remote?.address).toBe('127.0.0.1');
    expect(remote?.port).toBe(client.socket.localPort);
    const stats = server.stats();
    expect(stats).toMatchObject({ connections: 1, inFlight: 0, requests: 1, bytesRead: request.length });
    expect(stats.bytesWritten).toBe(client.received.length);
    const gone = new Promise<void>((resolve) => {
      const previous = handlers.onConnectionClose;
      handlers.onConnectionClose = (id) => {
        previous?.(id);
        if (id === conn) resolve();
      };
    });
    client.destroy();
    await gone;
    expect(handlers.closed).toEqual([conn]);
    expect(server.remote(conn)).toBeUndefined();
    expect(server.stats().connections).toBe(0);
    expect(server.stats().bytesWritten).toBe(client.received.length);
  });

  it('caches an IMF-fixdate Date header', async () => {
    const { server } = await start(echoHandlers());
    expect(server.dateHeader()).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(Date.parse(server.dateHeader()) - Date.now())).toBeLessThan(3000);
  });

  it('rejects listen on a port in use', async () => {
    const { port } = await start(echoHandlers());
    const second = createJsServer({ host: '127.0.0.1', port }, echoHandlers());
    await expect(second.listen()).rejects.toThrow(/EADDRINUSE/);
  });
});
