import { afterEach, describe, expect, test } from 'vitest';
import { GET, type RawClient } from './helpers/raw-client.js';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';

// A client's FIN while its requests are pending (issue 9, item 3): the close notification fires at
// once (core aborts req.signal on it), answers that still come are written, and the socket is never
// held past the keep-alive timeout.

const CLIENTS = 40;

/** Polls `check` every 10 ms until it holds; fails after `ms` with `what`. */
async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(TRANSPORTS)('FIN with requests pending ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  /** A server whose handler never answers by itself; `pending` holds what it was given. */
  async function start(keepAlive: number) {
    const pending: Array<{ conn: number; seq: number; target: string }> = [];
    const notified = new Map<number, number>();
    const started = await h.start(
      {
        onBatch(batch) {
          for (let i = 0; i < batch.count; i++) pending.push({ conn: batch.conn(i), seq: batch.seq(i), target: batch.target(i) });
        },
        onConnectionClose(conn) {
          notified.set(conn, (notified.get(conn) ?? 0) + 1);
        },
      },
      { timeouts: { keepAlive } },
    );
    return { ...started, pending, notified };
  }

  async function finClients(port: number): Promise<RawClient[]> {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => h.connect(port)));
    await Promise.all(clients.map((c, k) => c.write(GET(`/never/${k}`))));
    for (const c of clients) c.end();
    return clients;
  }

  test('never-settling handlers: every connection is reported closed and released within the keep-alive timeout', async () => {
    const { server, port, pending, notified } = await start(300);
    const clients = await finClients(port);
    await until('every connection to be released', () => server.stats().connections === 0);
    expect(pending).toHaveLength(CLIENTS);
    const conns = new Set(pending.map((p) => p.conn));
    expect(conns.size).toBe(CLIENTS);
    for (const conn of conns) expect(notified.get(conn), `close notices of conn ${conn}`).toBeGreaterThanOrEqual(1);
    await Promise.all(clients.map((c) => c.waitFor('the server to close', () => (c.ended ? true : undefined))));
    expect(server.stats().inFlight).toBe(0);
  });

  test('the close notice comes at the FIN, and a half-closed client still gets the answer that comes after it', async () => {
    const { server, port, pending, notified } = await start(30_000);
    const clients = await finClients(port);
    // notified while the connections are still open (long before the 30 s keep-alive timeout)
    await until('a close notice for every pending request', () => pending.length === CLIENTS && pending.every((p) => notified.has(p.conn)));
    expect(server.stats().connections).toBe(CLIENTS);
    for (const p of pending) server.responder.respond(p.conn, p.seq, ok(p.target.length), p.target, false);
    const answers = await Promise.all(clients.map((c) => c.untilEnd()));
    answers.forEach((res, k) => {
      expect(res).toHaveLength(1);
      expect(Buffer.from(res[0]!.body).toString()).toBe(`/never/${k}`);
    });
    await until('every connection to be released', () => server.stats().connections === 0);
  });

  test('a FIN with nothing pending closes at once, without an early notice', async () => {
    const { server, port, notified } = await start(30_000);
    const c = await h.connect(port);
    c.end();
    await c.waitFor('the server to close', () => (c.ended ? true : undefined));
    await until('the connection to be released and reported', () => server.stats().connections === 0 && notified.size === 1);
    expect([...notified.values()]).toEqual([1]);
  });
});
