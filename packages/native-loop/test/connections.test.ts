import { afterEach, describe, expect, test } from 'vitest';
import type { ServerHandlers } from '../src/types.js';
import { holdAll } from './helpers/held-responses.js';
import { GET, RawClient } from './helpers/raw-client.js';
import { TRANSPORTS, echoHandlers, harness, ok } from './helpers/transports.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Resolves when `onConnectionClose` reported `n` connections. */
function closeCounter() {
  let closed = 0;
  let waiters: Array<[number, () => void]> = [];
  return {
    onConnectionClose(): void {
      closed++;
      waiters = waiters.filter(([n, r]) => (closed >= n ? (r(), false) : true));
    },
    get closed() {
      return closed;
    },
    until(n: number): Promise<void> {
      return closed >= n ? Promise.resolve() : new Promise((r) => waiters.push([n, r]));
    },
  };
}

describe.each(TRANSPORTS)('connections ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('half-close by the client: pipelined requests are still answered, then the server closes', async () => {
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const body = batch.target(i);
          const conn = batch.conn(i);
          const seq = batch.seq(i);
          setTimeout(() => out.respond(conn, seq, ok(body.length), body, false), 5);
        }
      },
    });
    const c = await h.connect(port);
    await c.write(GET('/1') + GET('/2') + GET('/3'));
    c.end();
    const res = await c.untilEnd();
    expect(res.map((r) => text(r.body))).toEqual(['/1', '/2', '/3']);
  });

  test('client abort mid-body: no request reaches JS, the connection is reported closed, stats return to 0', async () => {
    const cc = closeCounter();
    let requests = 0;
    const { server, port } = await h.start({
      onBatch(batch, out) {
        requests += batch.count;
        echoHandlers.onBatch(batch, out);
      },
      onConnectionClose: () => cc.onConnectionClose(),
    });
    const c = await h.connect(port);
    await c.write('POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\npartial');
    await c.waitFor('bytes to be sent', () => (c.socket.bytesWritten > 0 ? true : undefined));
    c.destroy();
    await cc.until(1);
    expect(requests).toBe(0);
    expect(server.stats().connections).toBe(0);
  });

  test('client abort mid-response: a large response to a vanished client is dropped without harm', async () => {
    const cc = closeCounter();
    const big = 'x'.repeat(4 * 1024 * 1024);
    const { server, port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) out.respond(batch.conn(i), batch.seq(i), ok(big.length), big, false);
      },
      onConnectionClose: () => cc.onConnectionClose(),
    });
    const c = await h.connect(port);
    await c.write(GET('/big'));
    await c.waitFor('the first response bytes', () => (c.received.length > 0 ? true : undefined));
    c.destroy();
    await cc.until(1);
    expect(server.stats().connections).toBe(0);
    expect(server.stats().inFlight).toBe(0);
    expect(server.stats().accepted).toBe(1); // a total: closing does not lower it
    // the server still serves others
    const d = await h.connect(port);
    await d.write(GET('/again'));
    const [r] = await d.responses(1);
    expect(r!.body.length).toBe(big.length);
    expect([server.stats().connections, server.stats().accepted]).toEqual([1, 2]);
  });

  test('responses for a connection that went away are dropped silently', async () => {
    const cc = closeCounter();
    const { handlers, pending: later, reached: gotRequest } = holdAll('hi');
    const { server, port } = await h.start({ ...handlers, onConnectionClose: () => cc.onConnectionClose() });
    const c = await h.connect(port);
    await c.write(GET('/x') + GET('/y'));
    await gotRequest;
    c.destroy();
    // a FIN alone could be a half-close: the server answers what it has, then closes
    later[0]!();
    later[1]!();
    await cc.until(1);
    expect(() => later[1]!()).not.toThrow(); // the connection id is gone: dropped silently
    await new Promise((r) => setImmediate(r));
    expect(server.stats().connections).toBe(0);
  });

  test('remote(conn) gives the peer address and port', async () => {
    let remote: { address: string; port: number } | undefined;
    let server!: { remote(conn: number): { address: string; port: number } | undefined };
    const handlers: ServerHandlers = {
      onBatch(batch, out) {
        remote = server.remote(batch.conn(0));
        echoHandlers.onBatch(batch, out);
      },
    };
    const started = await h.start(handlers);
    server = started.server;
    const c = await h.connect(started.port);
    await c.write(GET('/r'));
    await c.responses(1);
    expect(remote).toEqual({ address: '127.0.0.1', port: c.socket.localPort });
    expect(started.server.remote(999_999)).toBeUndefined();
  });

  test('graceful close: in-flight requests finish, idle connections close, new connections are refused', async () => {
    const { handlers, pending, reached: gotRequest } = holdAll('done');
    const { server, port } = await h.start(handlers);
    const busy = await h.connect(port);
    const idle = await h.connect(port);
    await busy.write(GET('/slow'));
    await gotRequest;
    let closed = false;
    const closing = server.close(10_000).then(() => (closed = true));
    await idle.untilEnd();
    expect(closed).toBe(false);
    await expect(RawClient.connect(port)).rejects.toThrow();
    pending[0]!();
    const res = await busy.untilEnd();
    expect(res.map((r) => text(r.body))).toEqual(['done']);
    await closing;
    expect(server.stats().connections).toBe(0);
  });

  test('close(deadline) cuts requests that do not finish in time', async () => {
    let got!: () => void;
    const gotRequest = new Promise<void>((r) => (got = r));
    const { server, port } = await h.start({ onBatch: () => got() });
    const c = await h.connect(port);
    await c.write(GET('/never'));
    await gotRequest;
    const t0 = Date.now();
    await server.close(150);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(100);
    expect(took).toBeLessThan(5000);
    await c.untilEnd();
  });

  test('10,000 connection open/close cycles leave no connection behind and no memory growth', async () => {
    const cc = closeCounter();
    const { server, port } = await h.start({ ...echoHandlers, onConnectionClose: () => cc.onConnectionClose() });
    const cycle = async (): Promise<void> => {
      const c = await RawClient.connect(port);
      await c.write(GET('/c', 'Connection: close\r\n'));
      await c.untilEnd();
      c.destroy();
    };
    const run = async (n: number, parallel: number): Promise<void> => {
      let next = 0;
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next < n) {
            next++;
            await cycle();
          }
        }),
      );
    };
    await run(1000, 8); // warm up
    await cc.until(1000);
    global.gc?.();
    const before = process.memoryUsage().rss;
    await run(9000, 8);
    await cc.until(10_000);
    global.gc?.();
    const growth = process.memoryUsage().rss - before;
    expect(server.stats().connections).toBe(0);
    expect(server.stats().inFlight).toBe(0);
    expect(server.stats().requests).toBe(10_000);
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);

  test('IPv6 (::1)', async () => {
    const v6 = await canBindV6();
    if (!v6) {
      console.warn('skipping the IPv6 check: ::1 is not available on this machine');
      return;
    }
    const { server, port } = await h.start(echoHandlers, { host: '::1' });
    const c = await h.connect(port, '::1');
    await c.write(GET('/six'));
    const [r] = await c.responses(1);
    expect(text(r!.body)).toBe('GET /six ');
    expect(server.stats().requests).toBe(1);
  });
});

async function canBindV6(): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}
