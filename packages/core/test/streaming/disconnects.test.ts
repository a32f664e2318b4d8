// Clients leaving at seeded random points of a streamed upload and of a streamed download, 1,000
// cycles each on both transports: the body stream errors (upload) or the source is cancelled
// (download), req.signal fires, and nothing is left behind — the transport's connection and
// in-flight counters are back to zero after every cycle, and RSS stays bounded.
import net from 'node:net';
import { createServer, type HttpServer } from '@jato/native-loop';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { TRANSPORTS } from '../support/transports.js';

const MiB = 1024 * 1024;
const CYCLES = Number(process.env['JATO_DISCONNECT_CYCLES'] ?? 1000);
/** Under ASan (test:native preloads it) memory is the sanitizer's: the RSS bound is not checked there. */
const RSS_BOUND = process.env['LD_PRELOAD']?.includes('libasan') === true ? Infinity : 64 * MiB;

/** The app served as `listen()` serves it, keeping the transport (for its counters). */
async function serve(app: App, onClose: () => void): Promise<{ server: HttpServer; port: number }> {
  const d = app.dispatcher();
  const server = createServer(
    { host: '127.0.0.1', port: 0, transport: app.settings.transport ?? 'auto', limits: app.transportLimits() ?? {} },
    {
      onBatch: d.onBatch,
      onBodyChunks: d.onBodyChunks,
      onConnectionClose(conn) {
        d.onConnectionClose(conn);
        onClose();
      },
    },
  );
  d.setTransport(server);
  const { port } = await server.listen();
  return { server, port };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

const write = (s: net.Socket, data: string | Uint8Array): Promise<void> =>
  new Promise((resolve) => (s.destroyed ? resolve() : s.write(data, () => resolve())));

/** A promise with its resolve function. */
function later<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(TRANSPORTS)('disconnects at seeded points, many cycles (%s transport)', (transport) => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close(500);
    server = undefined;
  });

  /** Resolves once the transport has no connection and nothing in flight (checked on every close notice). */
  function idle(s: HttpServer, closes: { wake: () => void }): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        const st = s.stats();
        if (st.connections === 0 && st.inFlight === 0) resolve();
        else closes.wake = check;
      };
      check();
    });
  }

  it(`upload: ${CYCLES} seeded cuts (Content-Length and chunked, reset and FIN): the body errors, req.signal fires, counters return to zero`, async () => {
    // bodies over 64 KiB are streamed (Content-Length: from the head on; chunked: whenever incomplete)
    const app = new App({ transport, logger: false, limits: { maxBodyBytes: 64 * 1024 } });
    let outcome = later<{ error: string; aborted: boolean }>();
    app.post('/up', async (req) => {
      const signal = req.signal;
      try {
        for await (const chunk of req.stream()) void chunk;
        outcome.resolve({ error: 'none', aborted: signal.aborted });
      } catch (err) {
        // the signal fires when the transport reports the close; the stream error may come first
        if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        outcome.resolve({ error: (err as Error).name, aborted: signal.aborted });
      }
      return 'unreachable';
    }, { bodyLimit: Infinity });
    const closes = { wake: (): void => {} };
    const served = await serve(app, () => closes.wake());
    server = served.server;
    const rnd = prng(0x5eed);
    const body = Buffer.alloc(512 * 1024, 7);
    const rssBefore = process.memoryUsage.rss();
    const errors = new Set<string>();
    for (let i = 0; i < CYCLES; i++) {
      outcome = later();
      const c = await connect(served.port);
      c.on('error', () => {});
      const cut = 1 + Math.floor(rnd() * (body.length - 2));
      if (i % 4 < 2) {
        await write(c, `POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
        await write(c, body.subarray(0, cut));
      } else {
        await write(c, `POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${cut.toString(16)}\r\n`);
        await write(c, body.subarray(0, cut)); // the chunk's data is there, its CRLF and the end never come
      }
      if (i % 2 === 0) c.destroy();
      else c.end(); // FIN in the middle of the body: the message cannot complete either
      const o = await outcome.promise;
      errors.add(o.error);
      expect(o.aborted).toBe(true);
      await idle(served.server, closes);
      if (i % 2 === 1) c.destroy();
    }
    expect([...errors]).toEqual(['AbortError']);
    expect(served.server.stats()).toMatchObject({ connections: 0, inFlight: 0 });
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(RSS_BOUND);
  }, 300_000);

  it(`download: ${CYCLES} seeded cuts of a streamed response (reset and FIN): the source is cancelled, req.signal fires, counters return to zero`, async () => {
    const app = new App({ transport, logger: false });
    let cancelled = later<string>();
    let aborted = later<string>();
    const chunk = Buffer.alloc(16 * 1024, 120);
    app.get('/down', (req) => {
      const c = cancelled;
      const a = aborted;
      req.signal.addEventListener('abort', () => a.resolve('aborted'));
      return new ReadableStream({ pull: (ctl) => ctl.enqueue(chunk), cancel: () => c.resolve('cancel') });
    });
    const closes = { wake: (): void => {} };
    const served = await serve(app, () => closes.wake());
    server = served.server;
    const rnd = prng(0xd0);
    const rssBefore = process.memoryUsage.rss();
    for (let i = 0; i < CYCLES; i++) {
      cancelled = later();
      aborted = later();
      const c = await connect(served.port);
      c.on('error', () => {});
      const leaveAt = 1 + Math.floor(rnd() * 256 * 1024);
      let got = 0;
      const enough = later();
      c.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= leaveAt) enough.resolve();
      });
      c.write('GET /down HTTP/1.1\r\nHost: t\r\n\r\n');
      await enough.promise;
      if (i % 2 === 0) c.destroy();
      else c.end();
      expect(await cancelled.promise).toBe('cancel');
      expect(await aborted.promise).toBe('aborted');
      c.destroy();
      await idle(served.server, closes);
    }
    expect(served.server.stats()).toMatchObject({ connections: 0, inFlight: 0 });
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(RSS_BOUND);
  }, 300_000);
});
