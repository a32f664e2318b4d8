import { afterEach, describe, expect, it } from 'vitest';
import { App, SseFeed, compress, sse, type SseEvent } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { inject, startTestServer, type TestServer } from '../support/testing.js';
import { FeedClient, eventually } from './feed-client.js';
import { STREAM_TRANSPORTS } from './transports.js';

const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => String(from + i));

describe.each(STREAM_TRANSPORTS)('SseFeed broadcast (%s transport)', (transport) => {
  let server: TestServer | undefined;
  const clients: FeedClient[] = [];
  const feeds: SseFeed[] = [];
  afterEach(async () => {
    // the responses end first (an open stream would hold the graceful close), then the clients go
    for (const f of feeds.splice(0)) f.close();
    await server?.close();
    server = undefined;
    for (const c of clients.splice(0)) c.destroy();
  });
  function newFeed(options: ConstructorParameters<typeof SseFeed>[0]): SseFeed {
    const f = new SseFeed(options);
    feeds.push(f);
    return f;
  }
  async function subscribe(path = '/events', options?: Parameters<typeof FeedClient.open>[2]): Promise<FeedClient> {
    const c = await FeedClient.open(server!.port, path, options);
    clients.push(c);
    return c;
  }
  /** Serves `feed` at /events (a `hello` comment first: received means subscribed). */
  async function serve(feed: SseFeed): Promise<void> {
    const app = new App({ transport, logger: false });
    app.get('/events', () => feed.response({ initial: [{ comment: 'hello' }] }));
    server = await startTestServer(app);
  }

  it('1,000 subscribers each get every event once and in order (events of seeded sizes, published in seeded batches)', async () => {
    const feed = newFeed({ heartbeat: 0 });
    await serve(feed);
    const subs = await Promise.all(Array.from({ length: 1000 }, () => subscribe()));
    await Promise.all(subs.map((c) => c.until((x) => x.comments === 1)));
    expect(feed.size).toBe(1000);
    for (const c of subs) {
      expect(c.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(c.head).toContain('Content-Type: text/event-stream; charset=utf-8');
      expect(c.head).toContain('Cache-Control: no-cache');
      expect(c.head).toContain('Transfer-Encoding: chunked');
    }
    const rand = prng(10);
    let id = 0;
    const total = 100;
    while (id < total) {
      // a batch of 1..5 events of 0..2000 chars (one or several publish calls in one turn)
      const n = Math.min(total - id, 1 + Math.floor(rand() * 5));
      const batch: SseEvent[] = [];
      for (let i = 0; i < n; i++) batch.push({ event: 'tick', id: String(id++), data: 'é'.repeat(Math.floor(rand() * 2000)) });
      if (rand() < 0.5) feed.publish(batch);
      else for (const e of batch) feed.publish(e);
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(subs.map((c) => c.until((x) => x.events === total)));
    const expected = range(0, total);
    for (const c of subs) expect(c.ids).toEqual(expected);
  }, 120_000);

  it('a subscriber leaving mid-stream is removed; the others go on receiving', async () => {
    const feed = newFeed({ heartbeat: 0 });
    await serve(feed);
    const subs = await Promise.all(Array.from({ length: 5 }, () => subscribe()));
    await Promise.all(subs.map((c) => c.until((x) => x.comments === 1)));
    feed.publish({ id: '0', data: 'a' });
    await Promise.all(subs.map((c) => c.until((x) => x.events === 1)));
    subs[2]!.destroy();
    await eventually(() => feed.size === 4);
    feed.publish([{ id: '1', data: 'b' }, { id: '2', data: 'c' }]);
    const rest = subs.filter((_, i) => i !== 2);
    await Promise.all(rest.map((c) => c.until((x) => x.events === 3)));
    for (const c of rest) expect(c.ids).toEqual(['0', '1', '2']);
    expect(subs[2]!.ids).toEqual(['0']);
  });

  it('a write failing in the deferred flush ends every subscriber (logged once), the process lives and the feed goes on', async () => {
    const feed = newFeed({ heartbeat: 0 });
    const errors: unknown[] = [];
    const app = new App({ transport, logger: { error: (o) => errors.push(o.err), warn() {}, info() {} } });
    app.get('/events', () => feed.response({ initial: [{ comment: 'hello' }] }));
    server = await startTestServer(app);
    const subs = await Promise.all(Array.from({ length: 3 }, () => subscribe()));
    await Promise.all(subs.map((c) => c.until((x) => x.comments === 1)));
    // the write of the end-of-turn flush throws once (as the output writer would when it cannot grow)
    const proto = SseFeed.prototype as unknown as { send(text: string): void };
    const send = proto.send;
    let thrown = 0;
    proto.send = function (this: SseFeed, text: string): void {
      proto.send = send;
      thrown++;
      throw new Error('write failed');
    };
    try {
      feed.publish({ id: '0', data: 'lost' });
      await Promise.all(subs.map((c) => c.until((x) => x.closed === true).catch(() => {})));
    } finally {
      proto.send = send;
    }
    expect(thrown).toBe(1);
    for (const c of subs) {
      expect(c.closed).toBe(true);
      expect(c.ended).toBe(false); // truncated: no final chunk, so an EventSource reconnects
    }
    await eventually(() => errors.length === 1);
    expect(errors).toHaveLength(1);
    expect(((errors[0] as Error).cause as Error).message).toBe('write failed');
    expect(feed.size).toBe(0);
    // a new subscriber gets what is published next
    const again = await subscribe();
    await again.until((x) => x.comments === 1);
    feed.publish({ id: '1', data: 'after' });
    await again.until((x) => x.events === 1);
    expect(again.ids).toEqual(['1']);
  });

  it('a subscriber that does not read never stalls the others and is closed past maxBackpressure', async () => {
    const feed = newFeed({ heartbeat: 0, maxBackpressure: 256 * 1024 });
    await serve(feed);
    const fast = await Promise.all(Array.from({ length: 3 }, () => subscribe()));
    const slow = await subscribe();
    await Promise.all([...fast, slow].map((c) => c.until((x) => x.comments === 1)));
    slow.socket.pause();
    const big = 'y'.repeat(64 * 1024);
    // one event per round, the next once every fast subscriber has it: the slow one falls behind
    let round = 0;
    for (; feed.size === 4 && round < 4000; round++) {
      feed.publish({ id: String(round), data: big });
      await Promise.all(fast.map((c) => c.until((x) => x.events === round + 1)));
    }
    expect(feed.size).toBe(3); // the slow one was cut (the kernel buffers filled, then its bound)
    for (let i = 0; i < 5; i++, round++) feed.publish({ id: String(round), data: 'after' });
    await Promise.all(fast.map((c) => c.until((x) => x.events === round)));
    for (const c of fast) expect(c.ids).toEqual(range(0, round));
    // the slow client reads what was sent to it: a prefix of the events, then the connection closes
    // without the final chunk (a truncated response: its EventSource reconnects)
    slow.socket.resume();
    await slow.until((x) => x.closed === true).catch(() => {});
    expect(slow.closed).toBe(true);
    expect(slow.ended).toBe(false);
    expect(slow.ids).toEqual(range(0, slow.ids.length));
    expect(slow.ids.length).toBeLessThan(round);
  }, 120_000);

  it('close() ends every response with the final chunk; heartbeats while idle; initial events (Last-Event-ID)', async () => {
    const feed = newFeed({ heartbeat: 20 });
    const history = range(0, 10).map((id) => ({ id, data: `old ${id}` }));
    const app = new App({ transport, logger: false });
    app.get('/events', (req) => {
      const last = Number(req.header('last-event-id') ?? -1);
      return feed.response({ initial: [{ retry: 500 }, ...history.filter((e) => Number(e.id) > last)] });
    });
    server = await startTestServer(app);
    const a = await subscribe('/events', { headers: 'Last-Event-ID: 6\r\n' });
    const b = await subscribe('/events');
    await a.until((x) => x.ids.length === 3);
    await b.until((x) => x.ids.length === 10);
    expect(a.ids).toEqual(['7', '8', '9']);
    await Promise.all([a, b].map((c) => c.until((x) => x.comments >= 2))); // heartbeats, nothing published
    feed.publish({ id: '10', data: 'new' });
    feed.close();
    await Promise.all([a, b].map((c) => c.until((x) => x.ended)));
    expect(a.ids).toEqual(['7', '8', '9', '10']);
    expect(b.ids).toEqual(range(0, 11));
    expect(feed.size).toBe(0);
    // a subscriber after close() gets its initial events and an ended response
    const late = await subscribe('/events', { headers: 'Last-Event-ID: 8\r\n' });
    await late.until((x) => x.ended);
    expect(late.ids).toEqual(['9']);
  });

  it('an HTTP/1.0 subscriber gets the events close-delimited (no chunk framing), with chunked ones', async () => {
    const feed = newFeed({ heartbeat: 0 });
    await serve(feed);
    const old = await subscribe('/events', { http10: true, keepData: true });
    const cur = await subscribe('/events', { keepData: true });
    await Promise.all([old, cur].map((c) => c.until((x) => x.comments === 1)));
    expect(old.head).not.toContain('Transfer-Encoding');
    feed.publish([{ id: '1', data: 'line one\nline two' }, { id: '2', data: { json: true } }]);
    await Promise.all([old, cur].map((c) => c.until((x) => x.events === 2)));
    for (const c of [old, cur]) expect(c.data).toEqual(['line one\nline two', '{"json":true}']);
    feed.close();
    await old.until((x) => x.closed);
    await cur.until((x) => x.ended);
  });
});

describe('SseFeed behind compress()', () => {
  it('a gzip subscriber reads its own queue through the compressor and gets every event in order', async () => {
    const feed = new SseFeed({ heartbeat: 0 });
    const app = new App({ logger: false });
    app.use(compress({ threshold: 0 }));
    app.get('/events', () => feed.response({ initial: [{ comment: 'hello' }] }));
    const server = await startTestServer(app);
    try {
      const res = await fetch(`${server.url}/events`, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.headers.get('content-encoding')).toBe('gzip');
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const readUntil = async (part: string): Promise<void> => {
        while (!text.includes(part)) {
          const r = await reader.read();
          if (r.done) throw new Error(`ended before ${JSON.stringify(part)}: ${JSON.stringify(text)}`);
          text += r.value;
        }
      };
      await readUntil(': hello\n\n'); // subscribed
      for (let i = 0; i < 20; i++) feed.publish({ id: String(i), data: `event ${i}` });
      await readUntil('id: 19\n');
      expect([...text.matchAll(/id: (\d+)/g)].map((m) => m[1])).toEqual(range(0, 20));
      feed.close();
      await reader.cancel();
    } finally {
      feed.close();
      await server.close();
    }
  });
});

describe('SseFeed without a socket', () => {
  it('inject subscribes through the pull path and gets what is published until close()', async () => {
    const feed = new SseFeed({ heartbeat: 0 });
    const app = new App({ logger: false });
    app.get('/events', () => feed.response({ initial: [{ comment: 'hi' }] }));
    const pending = inject(app, '/events');
    await eventually(() => feed.size === 1);
    feed.publish({ id: '1', data: 'x' });
    feed.publish({ id: '2', data: 'y' });
    await new Promise((r) => setImmediate(r));
    feed.close();
    const res = await pending;
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.text()).toBe(': hi\n\nid: 1\ndata: x\n\nid: 2\ndata: y\n\n');
    expect(feed.size).toBe(0);
  });

  it('sse(): a source may yield several events as one array (one step), framed in order; a bad one fails the stream', async () => {
    const app = new App({ logger: false });
    let steps = 0;
    app.get('/batch', () => sse((async function* () {
      steps++;
      yield [{ id: '1', data: 'a' }, 'b', { event: 'x', data: { n: 3 } }];
      steps++;
      yield [];
      steps++;
      yield { id: '4', data: 'd' };
    })(), { heartbeat: 0 }));
    app.get('/bad', () => sse((async function* () {
      yield [{ data: 'ok' }, { event: 'a\nb' }];
    })(), { heartbeat: 0 }));
    const res = await inject(app, '/batch');
    expect(res.text()).toBe('id: 1\ndata: a\n\ndata: b\n\nevent: x\ndata: {"n":3}\n\nid: 4\ndata: d\n\n');
    expect(steps).toBe(3);
    expect((await inject(app, '/bad')).status).toBe(500);
  });

  it('publish() frames at once: a bad event throws and nothing of that call is sent', () => {
    const feed = new SseFeed();
    expect(() => feed.publish([{ data: 'ok' }, { event: 'a\nb' }])).toThrow(TypeError);
    expect(() => feed.response({ initial: [{ id: 'x\0' }] })).toThrow(TypeError);
    expect(() => new SseFeed({ heartbeat: -1 })).toThrow(RangeError);
  });
});
