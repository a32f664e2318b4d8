// The streamed-response contract (src/stream-output.ts) on both transports, at the transport level:
// ordering behind and in front of a stream, backpressure (write false, then onDrain once the client
// reads), the client leaving (onClose), abort (closed without anything more).
import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseStream, ResponseStreamEvents, ServerHandlers } from '../src/types.js';
import { TRANSPORTS, harness } from './helpers/transports.js';

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n';
const chunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

interface Req {
  conn: number;
  seq: number;
  target: string;
}

/** Handlers that hand every request to `onRequest` (outside the batch: copied out). */
function collect(onRequest: (req: Req, out: Parameters<ServerHandlers['onBatch']>[1]) => void): ServerHandlers {
  return {
    onBatch(batch, out) {
      for (let i = 0; i < batch.count; i++) onRequest({ conn: batch.conn(i), seq: batch.seq(i), target: batch.target(i) }, out);
    },
  };
}

/** A promise resolved by the handler (server-side events are not client arrivals). */
function signal<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  return { promise: new Promise<T>((r) => (resolve = r)), resolve };
}

function events(): ResponseStreamEvents & { drains: number; closes: number; drained: Promise<void>; closed: Promise<void> } {
  let drain!: () => void;
  let close!: () => void;
  const e = {
    drains: 0,
    closes: 0,
    drained: new Promise<void>((r) => (drain = r)),
    closed: new Promise<void>((r) => (close = r)),
    onDrain() {
      e.drains++;
      drain();
    },
    onClose() {
      e.closes++;
      close();
    },
  };
  return e;
}

describe.each(TRANSPORTS)('streamed responses, transport contract ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  it('a stream holds the later pipelined responses; one opened before its turn waits with its bytes', async () => {
    let stream: ResponseStream | undefined;
    const opened = signal<void>();
    const pending: Array<() => void> = [];
    const { port } = await h.start(collect((req, out) => {
      if (req.target === '/s') {
        stream = out.stream!(req.conn, req.seq, HEAD, false, events());
        stream.write(chunk('early;'));
        opened.resolve();
      } else if (req.target === '/late') {
        pending.push(() => out.respond(req.conn, req.seq, 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n', 'late', false));
      } else {
        out.respond(req.conn, req.seq, 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n', 'x', false);
      }
    }));
    const c = await h.connect(port);
    await c.write('GET /late HTTP/1.1\r\nHost: t\r\n\r\nGET /s HTTP/1.1\r\nHost: t\r\n\r\nGET /x HTTP/1.1\r\nHost: t\r\n\r\n');
    await opened.promise;
    expect(c.received.length).toBe(0); // /late is not answered: nothing may go out
    pending.shift()!();
    await c.waitFor('late and the early chunk', () => (c.received.toString().includes('early;') ? true : undefined));
    expect(c.received.toString()).not.toContain('\r\nx');
    stream!.write(chunk('more'));
    stream!.write('0\r\n\r\n');
    stream!.end();
    const res = await c.responses(3);
    expect(res.map((r) => r.body.toString())).toEqual(['late', 'early;more', 'x']);
  });

  it('write returns false at the high-water mark and onDrain comes once the client reads', async () => {
    const ev = events();
    let stream: ResponseStream | undefined;
    const opened = signal<void>();
    const { port } = await h.start(collect((req, out) => {
      stream = out.stream!(req.conn, req.seq, 'HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\r\n', false, ev);
      opened.resolve();
    }), { limits: { highWaterMark: 64 * 1024 } });
    const c = await h.connect(port);
    c.discard = true;
    c.socket.pause();
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await opened.promise;
    const piece = Buffer.alloc(16 * 1024, 97);
    let written = 0;
    while (stream!.write(piece)) {
      written += piece.length;
      if (written > 32 * 2 ** 20) throw new Error('write never returned false');
    }
    written += piece.length;
    expect(ev.drains).toBe(0);
    c.socket.resume();
    await ev.drained;
    expect(ev.drains).toBe(1);
    await c.waitFor('everything written', () => (c.bytesReceived >= written ? true : undefined));
    expect(ev.closes).toBe(0);
  });

  it('a stream opened before its turn is not woken by the drains of the stream ahead of it (its held bytes stay within the mark), and is woken once it has the turn', async () => {
    const hwm = 64 * 1024;
    const piece = Buffer.alloc(16 * 1024, 97);
    const framed = (b: Buffer): Buffer => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    const wire = framed(piece);
    const A_PIECES = 64; // 1 MiB through a 64 KiB mark: many drains while B waits behind A
    const B_PIECES = 32;
    let bWritten = 0;
    let bMaxWhileA = 0;
    let aOpen = true;
    const done = signal<void>();
    const { port } = await h.start(collect((req, out) => {
      const evs: ResponseStreamEvents = { onDrain: () => pump(), onClose: () => {} };
      const s = out.stream!(req.conn, req.seq, HEAD, false, evs);
      let n = 0;
      const a = req.target === '/a';
      const total = a ? A_PIECES : B_PIECES;
      function pump(): void {
        setImmediate(() => {
          for (;;) {
            if (n === total) {
              s.write('0\r\n\r\n');
              s.end();
              if (a) aOpen = false;
              else done.resolve();
              return;
            }
            n++;
            const more = s.write(wire);
            if (!a) {
              bWritten += wire.length;
              if (aOpen) bMaxWhileA = Math.max(bMaxWhileA, bWritten);
            }
            if (!more) return; // onDrain resumes
          }
        });
      }
      pump();
    }), { limits: { highWaterMark: hwm } });
    const c = await h.connect(port);
    c.discard = true;
    await c.write('GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n');
    await done.promise; // B ended: it was woken after A's end
    const headBytes = 2 * (HEAD.length + 5);
    await c.waitFor('both streams', () => (c.bytesReceived >= headBytes + (A_PIECES + B_PIECES) * wire.length ? true : undefined));
    expect(c.bytesReceived).toBe(headBytes + (A_PIECES + B_PIECES) * wire.length);
    // B wrote up to the mark (plus the piece that crossed it) and then waited for its turn
    expect(bMaxWhileA).toBeGreaterThan(0);
    expect(bMaxWhileA).toBeLessThanOrEqual(hwm + wire.length);
  });

  it('a client FIN (half-close) during a stream calls onClose at once and the connection closes', async () => {
    const ev = events();
    const opened = signal<ResponseStream>();
    const { port } = await h.start(collect((req, out) => opened.resolve(out.stream!(req.conn, req.seq, HEAD, false, ev))), {
      timeouts: { keepAlive: 60_000 },
    });
    const c = await h.connect(port);
    await c.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    const s = await opened.promise;
    s.write(chunk('x'));
    await c.waitFor('chunk', () => (c.received.toString().includes('1\r\nx\r\n') ? true : undefined));
    c.end();
    await ev.closed; // long before the 60 s keep-alive
    expect(s.closed).toBe(true);
    // and the connection is closed now, not held until the keep-alive timeout
    await c.waitFor('the server closes', () => (c.ended ? true : undefined), 10_000);
  });

  it('the client leaving calls onClose; abort closes the connection after what was written', async () => {
    const streams: Array<{ s: ResponseStream; ev: ReturnType<typeof events> }> = [];
    const opened = [signal<void>(), signal<void>(), signal<void>()];
    const { port } = await h.start(collect((req, out) => {
      const ev = events();
      streams.push({ s: out.stream!(req.conn, req.seq, HEAD, false, ev), ev });
      opened[streams.length - 1]!.resolve();
    }));
    const a = await h.connect(port);
    await a.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await opened[0]!.promise;
    streams[0]!.s.write(chunk('a'));
    await a.waitFor('chunk a', () => (a.received.toString().includes('1\r\na\r\n') ? true : undefined));
    a.destroy();
    await streams[0]!.ev.closed;
    expect(streams[0]!.s.closed).toBe(true);
    expect(streams[0]!.s.write('x')).toBe(false);

    const b = await h.connect(port);
    await b.write('GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await opened[1]!.promise;
    streams[1]!.s.write(chunk('partial'));
    streams[1]!.s.abort();
    await b.waitFor('the close', () => (b.ended ? true : undefined));
    expect(b.received.toString()).toMatch(/7\r\npartial\r\n$/); // no final chunk, nothing after
    // the request pipelined behind it got a stream too (held): none of its bytes went out
    expect(b.received.toString()).not.toContain('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n7\r\npartial\r\nHTTP');
    expect(streams[1]!.ev.closes).toBe(0);
  });
});
