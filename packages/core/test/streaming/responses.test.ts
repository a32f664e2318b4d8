import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { App, Response } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { rawRequest } from '../support/testing.js';
import { bodyOf, deferred, dechunk } from './stream-client.js';
import { streamSuite } from './stream-suite.js';
import { STREAM_TRANSPORTS } from './transports.js';

/** A logger that records errors (pino-shaped: `[fields, message]`, the error in `fields.err`). */
function recordingLogger() {
  const errors: unknown[][] = [];
  return { errors, logger: { error: (...a: unknown[]) => void errors.push(a), warn: () => {}, info: () => {} } };
}

describe.each(STREAM_TRANSPORTS)('streamed responses (%s transport)', (transport) => {
  const { start, connect } = streamSuite();

  it('sends the first chunk of a ReadableStream before the stream ends (chunked)', async () => {
    const firstSeen = deferred();
    const app = new App({ transport, logger: false });
    app.get('/s', () => new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('first;'));
        await firstSeen.promise; // the client has it: the body was not read whole first
        controller.enqueue(new TextEncoder().encode('second'));
        controller.close();
      },
    }));
    const server = await start(app);
    const c = await connect();
    c.send('GET /s HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.until((x) => x.text().includes('first;'));
    expect(c.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(c.text()).toContain('Transfer-Encoding: chunked\r\n');
    expect(c.text()).not.toContain('second');
    firstSeen.resolve();
    await c.until((x) => x.text().endsWith('0\r\n\r\n'));
    expect(dechunk(bodyOf(c.received).body)!.body.toString()).toBe('first;second');
  });

  it('streams an async generator, a Node Readable, new Response(stream) and a Web Response with a stream body', async () => {
    const gate = deferred();
    const gen = async function* () {
      yield 'a';
      await gate.promise;
      yield new TextEncoder().encode('b');
    };
    const app = new App({ transport, logger: false });
    app.get('/gen', () => gen());
    app.get('/node', () => Readable.from(['n1', 'n2'], { objectMode: true }));
    app.get('/resp', () => new Response(gen(), { status: 201, headers: { 'content-type': 'text/x-g' } }));
    app.get('/web', () => new globalThis.Response(ReadableStream.from(gen()) as unknown as ReadableStream<Uint8Array>, { status: 203, headers: { 'x-w': '1' } }));
    const server = await start(app);
    gate.resolve();
    for (const [path, status, body] of [['/gen', 200, 'ab'], ['/node', 200, 'n1n2'], ['/resp', 201, 'ab'], ['/web', 203, 'ab']] as const) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(status);
      expect(await res.text(), path).toBe(body);
    }
    const r = await fetch(`${server.url}/resp`);
    expect(r.headers.get('content-type')).toBe('text/x-g');
    await r.text();
  });

  it('sends bodies of seeded sizes and chunkings byte-exact (across chunk and buffer boundaries)', async () => {
    const rand = prng(0x5eed10);
    const cases: Array<{ sizes: number[]; seed: number }> = [];
    const edges = [0, 1, 2, 15, 16, 17, 4095, 4096, 4097, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1];
    for (let k = 0; k < 40; k++) {
      const n = 1 + Math.floor(rand() * 6);
      const sizes = Array.from({ length: n }, () => (rand() < 0.4 ? edges[Math.floor(rand() * edges.length)]! : Math.floor(rand() * 200_000)));
      cases.push({ sizes, seed: Math.floor(rand() * 2 ** 31) });
    }
    const app = new App({ transport, logger: false });
    app.get('/c/:i', async function* (req) {
      const { sizes, seed } = cases[Number(req.params.i)]!;
      const r = prng(seed);
      for (const size of sizes) {
        const b = Buffer.alloc(size);
        for (let i = 0; i < size; i++) b[i] = (r() * 256) | 0;
        if (r() < 0.5) await new Promise((res) => setImmediate(res));
        yield b;
      }
    });
    const server = await start(app);
    for (let i = 0; i < cases.length; i++) {
      const { sizes, seed } = cases[i]!;
      const r = prng(seed);
      const expected = Buffer.concat(sizes.map((size) => {
        const b = Buffer.alloc(size);
        for (let j = 0; j < size; j++) b[j] = (r() * 256) | 0;
        r();
        return b;
      }));
      const res = await fetch(`${server.url}/c/${i}`);
      const got = Buffer.from(await res.arrayBuffer());
      expect(got.length, `case ${i}`).toBe(expected.length);
      expect(got.equals(expected), `case ${i}`).toBe(true);
    }
  });

  it('checks a Content-Length set by the handler: exact is sent with it, short and long end the connection', async () => {
    const { logger, errors } = recordingLogger();
    const app = new App({ transport, logger });
    const slow = (parts: string[]) => async function* () {
      for (const p of parts) {
        await new Promise((r) => setImmediate(r));
        yield p;
      }
    };
    app.get('/exact', () => new Response(slow(['abc', 'de'])(), { headers: { 'content-length': '5' } }));
    app.get('/short', () => new Response(slow(['abc', 'd'])(), { headers: { 'content-length': '5' } }));
    app.get('/long', () => new Response(slow(['abc', 'def'])(), { headers: { 'content-length': '5' } }));
    const server = await start(app);
    const exact = await rawRequest(server.port, 'GET /exact HTTP/1.1\r\nHost: t\r\n\r\nGET /exact HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 2 });
    expect(exact.responses.map((r) => r.text())).toEqual(['abcde', 'abcde']);
    expect(exact.responses[0]!.headers['content-length']).toBe('5');
    expect(exact.responses[0]!.headers['transfer-encoding']).toBeUndefined();
    for (const path of ['/short', '/long']) {
      const c = await connect();
      c.send(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\nGET /exact HTTP/1.1\r\nHost: t\r\n\r\n`);
      await c.untilClosed();
      const { head, body } = bodyOf(c.received);
      expect(head).toContain('Content-Length: 5');
      expect(body.length, path).toBeLessThanOrEqual(5);
      // the pipelined request after it is never answered: the connection ended instead
      expect(c.text().split('HTTP/1.1 200 OK').length - 1, path).toBe(1);
    }
    expect(errors.length).toBe(2);
  });

  it('HEAD on a streaming route sends the head only and cancels the source', async () => {
    const cancelled = deferred<string>();
    const app = new App({ transport, logger: false });
    app.get('/s', () => new ReadableStream({
      pull(controller) {
        controller.enqueue(new Uint8Array(10));
      },
      cancel() {
        cancelled.resolve('cancelled');
      },
    }));
    const server = await start(app);
    const r = await rawRequest(server.port, 'HEAD /s HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 2, head: [true, false] });
    expect(r.responses[0]!.status).toBe(200);
    expect(r.responses[0]!.headers['transfer-encoding']).toBe('chunked');
    expect(r.responses[0]!.body.length).toBe(0);
    expect(r.responses[1]!.status).toBe(404);
    expect(await cancelled.promise).toBe('cancelled');
  });

  it('holds pipelined responses behind a streaming one and sends them in order after it', async () => {
    const release = deferred();
    const app = new App({ transport, logger: false });
    app.get('/s', async function* () {
      yield 'one,';
      await release.promise;
      yield 'two';
    });
    app.get('/t/:n', (req) => `t${req.params.n}`);
    app.get('/a/:n', async (req) => `a${req.params.n}`);
    const server = await start(app);
    const c = await connect();
    c.send('GET /t/0 HTTP/1.1\r\nHost: t\r\n\r\nGET /s HTTP/1.1\r\nHost: t\r\n\r\nGET /t/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /a/2 HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.until((x) => x.text().includes('one,'));
    expect(c.text()).not.toContain('t1');
    // another connection is not held up
    const other = await rawRequest(server.port, 'GET /t/9 HTTP/1.1\r\nHost: t\r\n\r\n', { responses: 1 });
    expect(other.responses[0]!.text()).toBe('t9');
    release.resolve();
    await c.until((x) => x.text().includes('a2'));
    const { parseResponses } = await import('../support/testing.js');
    const { responses } = parseResponses(c.received, {});
    expect(responses.map((r) => r.text())).toEqual(['t0', 'one,two', 't1', 'a2']);
  });

  it('the client leaving cancels the source (web, generator, Node) and fires req.signal, at seeded points', async () => {
    const rand = prng(0xd15c);
    const app = new App({ transport, logger: false });
    let events: { cancelled: ReturnType<typeof deferred<string>>; aborted: ReturnType<typeof deferred<string>> } | null = null;
    app.get('/:kind', (req) => {
      const ev = events!;
      req.signal.addEventListener('abort', () => ev.aborted.resolve('aborted'));
      const chunk = Buffer.alloc(1000, 120);
      switch (req.params.kind) {
        case 'web':
          return new ReadableStream({ pull: (c) => c.enqueue(chunk), cancel: () => ev.cancelled.resolve('cancel') });
        case 'gen':
          return (async function* () {
            try {
              for (;;) {
                await new Promise((r) => setImmediate(r));
                yield chunk;
              }
            } finally {
              ev.cancelled.resolve('return');
            }
          })();
        default: {
          const r = new Readable({ read() { setImmediate(() => this.push(chunk)); } });
          r.on('close', () => ev.cancelled.resolve('destroy'));
          return r;
        }
      }
    });
    const server = await start(app);
    const cycles = Number(process.env.JATO_STREAM_DISCONNECT_CYCLES ?? 30);
    for (let cycle = 0; cycle < cycles; cycle++) {
      const kind = ['web', 'gen', 'node'][cycle % 3]!;
      events = { cancelled: deferred(), aborted: deferred() };
      const c = await connect();
      c.send(`GET /${kind} HTTP/1.1\r\nHost: t\r\n\r\n`);
      const leaveAt = 1 + Math.floor(rand() * 200_000);
      await c.until((x) => x.received.length >= leaveAt);
      if (rand() < 0.5) c.destroy();
      else c.socket.end();
      expect(await events.cancelled.promise).toBe({ web: 'cancel', gen: 'return', node: 'destroy' }[kind]);
      expect(await events.aborted.promise).toBe('aborted');
    }
  });

  it('a source that throws mid-stream: logged, closed without the final chunk, the server lives on', async () => {
    const { logger, errors } = recordingLogger();
    const app = new App({ transport, logger });
    app.get('/throw', async function* () {
      yield 'partial';
      await new Promise((r) => setImmediate(r));
      throw new Error('source broke');
    });
    app.get('/early', async function* () {
      throw new Error('before any byte');
    });
    app.get('/', () => 'alive');
    const server = await start(app);
    const c = await connect();
    c.send('GET /throw HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.untilClosed();
    expect(c.text()).toContain('partial');
    expect(c.text()).not.toContain('0\r\n\r\n');
    expect(c.text()).not.toContain('alive');
    const early = await fetch(`${server.url}/early`);
    expect(early.status).toBe(500);
    await early.text();
    expect(await (await fetch(`${server.url}/`)).text()).toBe('alive');
    expect(errors.length).toBe(2);
    expect(String(((errors[0]![0] as { err: Error }).err).cause)).toContain('source broke');
  });

  it('values jato cannot send are a logged 500 naming them', async () => {
    const { logger, errors } = recordingLogger();
    const app = new App({ transport, logger });
    app.get('/fn', () => (() => 1) as unknown as string);
    app.get('/sym', () => Symbol('s') as unknown as string);
    app.get('/syncgen', () => (function* () { yield 1; })() as unknown as string);
    app.get('/emitter', () => new EventEmitter() as unknown as string);
    const server = await start(app);
    for (const p of ['/fn', '/sym', '/syncgen', '/emitter']) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status, p).toBe(500);
      await res.text();
    }
    const messages = errors.map((e) => String((e[0] as { err: Error }).err.message));
    expect(messages[0]).toContain('a function');
    expect(messages[1]).toContain('a symbol');
    expect(messages[2]).toContain('next()');
    expect(messages[3]).toContain('on()');
  });

  it('pulls only while the client keeps up: a 256 MiB body (JATO_STREAM_BIG_BYTES) to a slow reader stays within the high-water mark', async () => {
    const total = Number(process.env.JATO_STREAM_BIG_BYTES ?? 256 * 2 ** 20);
    const chunk = Buffer.alloc(64 * 1024, 97);
    let produced = 0;
    let received = 0;
    let maxAhead = 0;
    const app = new App({ transport, logger: false });
    app.get('/big', () => new ReadableStream({
      pull(c) {
        maxAhead = Math.max(maxAhead, produced - received);
        if (produced >= total) return c.close();
        produced += chunk.length;
        c.enqueue(chunk);
      },
    }, { highWaterMark: 0 }));
    const server = await start(app);
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    const c = await connect();
    c.socket.removeAllListeners('data');
    // a slow reader: after every 256 KiB it stops reading for a millisecond (rate limit, not a sync)
    let sincePause = 0;
    const done = new Promise<void>((resolve) => {
      c.socket.on('data', (b: Buffer) => {
        received += b.length;
        sincePause += b.length;
        if (b.length >= 5 && b.subarray(-5).toString('latin1') === '0\r\n\r\n') resolve();
        if (sincePause >= 256 * 1024) {
          sincePause = 0;
          rssMax = Math.max(rssMax, process.memoryUsage().rss);
          c.socket.pause();
          setTimeout(() => c.socket.resume(), 1);
        }
      });
    });
    c.send('GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
    await done;
    expect(received).toBeGreaterThan(total);
    // server and client share this process: what the server produced never ran far ahead of the client
    expect(maxAhead).toBeLessThan(16 * 2 ** 20);
    expect(rssMax - rssBefore).toBeLessThan(64 * 2 ** 20);
    console.log(`streamed ${total} bytes: producer at most ${maxAhead} bytes ahead, RSS +${rssMax - rssBefore}`);
  }, 120_000);

  it('SSE: framing, headers and many clients (200, or JATO_SSE_CLIENTS) receiving 20 events (or JATO_SSE_EVENTS) each', async () => {
    const clientCount = Number(process.env.JATO_SSE_CLIENTS ?? 200);
    const eventCount = Number(process.env.JATO_SSE_EVENTS ?? 20);
    const { sse } = await import('../../src/index.js');
    const app = new App({ transport, logger: false });
    app.get('/events', (req) => sse((async function* () {
      yield { comment: 'hi', retry: 1000 };
      for (let i = 0; i < eventCount; i++) yield { event: 'tick', id: String(i), data: i === 0 ? 'multi\nline' : { i } };
    })(), { heartbeat: 0, headers: { 'x-last': req.header('last-event-id') ?? '' } }));
    const server = await start(app);
    const res = await fetch(`${server.url}/events`, { headers: { 'last-event-id': '7' } });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-last')).toBe('7');
    const text = await res.text();
    expect(text.startsWith(': hi\nretry: 1000\n\nevent: tick\nid: 0\ndata: multi\ndata: line\n\nevent: tick\nid: 1\ndata: {"i":1}\n\n')).toBe(true);
    const all = await Promise.all(Array.from({ length: clientCount }, () => fetch(`${server.url}/events`).then((r) => r.text())));
    for (const t of all) expect(t.split('event: tick\n').length - 1).toBe(eventCount);
  });

  it('SSE sends heartbeats while the source is idle; the client leaving aborts the producer signal and stops it', async () => {
    const { sse } = await import('../../src/index.js');
    const aborted = deferred<string>();
    const stopped = deferred<string>();
    const app = new App({ transport, logger: false });
    app.get('/idle', (req) => {
      req.signal.addEventListener('abort', () => aborted.resolve('aborted'));
      return sse(async function* (signal) {
        try {
          yield { data: 'start' };
          await new Promise((r) => signal.addEventListener('abort', r)); // idle until the client leaves
        } finally {
          stopped.resolve('stopped');
        }
      }, { heartbeat: 20 });
    });
    const server = await start(app);
    const c = await connect();
    c.send('GET /idle HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.until((x) => (x.text().match(/:\n\n/g) ?? []).length >= 2);
    expect(c.text()).toContain('data: start\n\n');
    expect(c.text()).toContain('Content-Type: text/event-stream; charset=utf-8\r\n');
    c.destroy();
    expect(await aborted.promise).toBe('aborted');
    expect(await stopped.promise).toBe('stopped'); // the producer's signal fired and its finally ran
  });
});
