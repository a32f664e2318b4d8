import { afterEach, describe, expect, it } from 'vitest';
import { echoHandlers, head } from './support/handlers.js';
import { GET, deferred, harness } from './support/server.js';
import { readSlowly } from './support/slow-reader.js';

const h = harness();
afterEach(() => h.cleanup());

// Timeouts are configured short; bounds below are generous for a busy 2-core machine:
// never earlier than the timeout, and not more than a few seconds after it.
const SLACK_MS = 4000;

describe('js transport: timeouts', () => {
  it('cuts an incomplete header section after the header timeout, trickling does not reset it, 408', async () => {
    const { port } = await h.start(echoHandlers(), { timeouts: { headers: 400 } });
    const client = await h.connect(port);
    const start = Date.now();
    await client.write('GET / HTTP/1.1\r\n');
    const trickle = setInterval(() => {
      if (!client.endedAt) client.socket.write('X');
    }, 50);
    try {
      const endedAt = await client.ended();
      expect(endedAt - start).toBeGreaterThanOrEqual(390);
      expect(endedAt - start).toBeLessThan(400 + SLACK_MS);
    } finally {
      clearInterval(trickle);
    }
    const [res] = await client.responses(1);
    expect(res!.status).toBe(408);
    expect(res!.headers['connection']).toBe('close');
  });

  it('closes an idle keep-alive connection after the keep-alive timeout without a response', async () => {
    // 1 s: the keep-alive timeout also bounds the wait for the first byte, and a busy machine must
    // not be able to stall the client between connect and write past it
    const { port } = await h.start(echoHandlers(), { timeouts: { keepAlive: 1000 } });
    const client = await h.connect(port);
    // measured from before the request: the idle timer starts after the answer, so never earlier
    // (taking the time when the answer arrived let a busy machine's delay eat into the lower bound)
    const start = Date.now();
    await client.write(GET('/a'));
    await client.responses(1);
    const endedAt = await client.ended();
    expect(endedAt - start).toBeGreaterThanOrEqual(990);
    expect(endedAt - start).toBeLessThan(1000 + SLACK_MS);
    expect((await client.responses(1)).length).toBe(1);
  });

  it('closes a connection that never sends a byte after the keep-alive timeout', async () => {
    const { port } = await h.start(echoHandlers(), { timeouts: { keepAlive: 300 } });
    const start = Date.now();
    const client = await h.connect(port);
    const endedAt = await client.ended();
    expect(endedAt - start).toBeGreaterThanOrEqual(290);
    expect(endedAt - start).toBeLessThan(300 + SLACK_MS);
    expect(client.received.length).toBe(0);
  });

  it('cuts a body slower than the minimum rate after the grace period, 408', async () => {
    const { port } = await h.start(echoHandlers(), { timeouts: { bodyGrace: 400, bodyMinRate: 1000 } });
    const client = await h.connect(port);
    const start = Date.now();
    await client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789');
    const endedAt = await client.ended();
    expect(endedAt - start).toBeGreaterThanOrEqual(390);
    expect(endedAt - start).toBeLessThan(400 + SLACK_MS);
    const [res] = await client.responses(1);
    expect(res!.status).toBe(408);
  });

  it('lets a body that keeps the minimum rate through', async () => {
    const handlers = echoHandlers((req, out) => {
      out.respond(req.conn, req.seq, head(200, String(req.body.length)), String(req.body.length), false);
      return true;
    });
    // 100 bytes/s required; we send 200 bytes every 50 ms (≈ 4000 bytes/s) for well past the grace.
    const { port } = await h.start(handlers, { timeouts: { bodyGrace: 200, bodyMinRate: 100 } });
    const client = await h.connect(port);
    const total = 200 * 12;
    await client.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
    for (let sent = 0; sent < total; sent += 200) {
      await client.write('b'.repeat(200));
      await new Promise((resolve) => setTimeout(resolve, 50)); // client pacing, not synchronisation
    }
    const [res] = await client.responses(1);
    expect(res!.status).toBe(200);
    expect(Buffer.from(res!.body).toString()).toBe(String(total));
  });

  it('cuts a client that stops reading its output after the write timeout', async () => {
    const big = 'z'.repeat(32 * 1024 * 1024);
    const closed = deferred<number>();
    const handlers = echoHandlers((req, out) => {
      out.respond(req.conn, req.seq, head(200, big), big, false);
      return true;
    });
    handlers.onConnectionClose = () => closed.resolve(Date.now());
    const { port } = await h.start(handlers, { timeouts: { write: 400 } });
    const client = await h.connect(port);
    client.socket.pause();
    const start = Date.now();
    await client.write(GET('/big'));
    const closedAt = await closed.promise;
    expect(closedAt - start).toBeGreaterThanOrEqual(390);
    expect(closedAt - start).toBeLessThan(400 + SLACK_MS);
  });

  it('keeps a slow but steady reader of a large response', async () => {
    const big = 'y'.repeat(16 * 1024 * 1024);
    const handlers = echoHandlers((req, out) => {
      out.respond(req.conn, req.seq, head(200, big), big, false);
      return true;
    });
    // The whole read takes about 3 s, three write timeouts: only progress keeps the connection. The
    // reader's 100 ms steps are a tenth of the timeout, so a client stalled by a busy machine for
    // most of a second still reads in time (with a 400 ms timeout, a 300 ms stall cut it).
    const { port } = await h.start(handlers, { timeouts: { write: 1000 } });
    const client = await h.connect(port);
    client.socket.pause();
    await client.write(GET('/big'));
    // read about 512 KiB every 100 ms: slower than the server writes, but always progressing
    const stopReading = readSlowly(client, 512 * 1024, 100);
    try {
      const [res] = await client.responses(1, undefined, big.length);
      expect(res!.body.length).toBe(big.length);
      expect(client.endedAt).toBeUndefined();
    } finally {
      stopReading();
    }
  });
});
