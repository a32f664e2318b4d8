import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { inject, parseResponses } from '../src/js/index.js';
import { BODY_ABORTED, BODY_DONE, BODY_MORE, BODY_STREAM, type BodyChunks } from '../src/stream-input.js';
import type { Responder, ServerHandlers, ServerOptions } from '../src/types.js';
import { bytes, sha } from './helpers/body-bytes.js';
import { eachRequest } from './helpers/each-request.js';
import { GET, seeded } from './helpers/raw-client.js';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';

const MiB = 1024 * 1024;
const WINDOW = 64 * 1024;
/** One socket read is at most this (Node's default read size; the native loop's read buffer). */
const READ = 64 * 1024;

interface Upload {
  conn: number;
  seq: number;
  hash: ReturnType<typeof createHash>;
  size: number;
  end: number;
}

/**
 * A transport-level handler that hashes streamed bodies and answers the hash when the body is done.
 * `ack` decides when consumed bytes are reported (at once, or later: a lagging consumer); every
 * delivery checks the window property: handed out and not acknowledged ≤ window + one read.
 */
function hashingHandlers(opts: { ack: 'sync' | 'timer'; answerEarly?: boolean }) {
  const uploads = new Map<string, Upload>();
  const state = {
    maxUnacked: 0, unacked: 0, flags: [] as number[], closed: [] as number[], ends: [] as number[],
    /** Called after each close notice. */
    onClosed: (): void => {},
  };
  let out: Responder | undefined;
  const handlers: ServerHandlers = {
    onBatch: eachRequest(
      (o) => (out = o),
      ({ batch, i, conn, seq }, o) => {
        const flags = batch.flags(i);
        state.flags.push(flags);
        if ((flags & BODY_STREAM) === 0 || opts.answerEarly === true) {
          const body = batch.target(i);
          o.respond(conn, seq, ok(Buffer.byteLength(body)), body, false);
          return;
        }
        uploads.set(`${conn}:${seq}`, { conn, seq, hash: createHash('sha256'), size: 0, end: BODY_MORE });
        o.bodyRead!(conn, seq, 0); // starts reading (sends 100 Continue when asked for)
      },
    ),
    onBodyChunks(chunks: BodyChunks) {
      for (let k = 0; k < chunks.count; k++) {
        const u = uploads.get(`${chunks.conn(k)}:${chunks.seq(k)}`);
        if (u === undefined) continue;
        const data = chunks.data(k);
        u.hash.update(data);
        u.size += data.length;
        state.unacked += data.length;
        state.maxUnacked = Math.max(state.maxUnacked, state.unacked);
        const n = data.length;
        const ack = (): void => {
          state.unacked -= n;
          out!.bodyRead!(u.conn, u.seq, n);
        };
        if (opts.ack === 'sync') ack();
        else setTimeout(ack, 1);
        const end = chunks.end(k);
        if (end === BODY_MORE) continue;
        u.end = end;
        state.ends.push(end);
        if (end === BODY_DONE) {
          const body = `${u.size} ${u.hash.digest('hex')}`;
          out!.respond(u.conn, u.seq, ok(body.length), body, false);
        }
      }
    },
    onConnectionClose(conn) {
      state.closed.push(conn);
      state.onClosed();
    },
  };
  return { handlers, state, uploads };
}

const streaming: ServerOptions = { limits: { maxBodyBytes: 64 * 1024, maxStreamBodyBytes: Infinity, bodyWindow: WINDOW } };

describe.each(TRANSPORTS)('streamed request bodies ($name transport)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  it('a Content-Length upload split at seeded boundaries is hashed chunk by chunk, within the window', async () => {
    const { handlers, state } = hashingHandlers({ ack: 'timer' });
    const { port } = await h.start(handlers, streaming);
    const c = await h.connect(port);
    const body = bytes(8 * MiB, 1);
    await c.write(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
    const rnd = seeded(7);
    for (let at = 0; at < body.length;) {
      const n = 1 + Math.floor(rnd() * 200_000);
      await c.write(body.subarray(at, at + n));
      at += n;
    }
    await c.write(GET('/after'));
    const [res, after] = await c.responses(2);
    expect(Buffer.from(res!.body).toString()).toBe(`${body.length} ${sha(body)}`);
    expect(Buffer.from(after!.body).toString()).toBe('/after');
    expect(state.flags[0]! & BODY_STREAM).toBe(BODY_STREAM);
    expect(state.flags[1]! & BODY_STREAM).toBe(0);
    expect(state.maxUnacked).toBeLessThanOrEqual(WINDOW + 2 * READ);
  });

  it('a chunked upload with seeded chunk sizes and splits, then a pipelined request', async () => {
    const { handlers } = hashingHandlers({ ack: 'sync' });
    const { port } = await h.start(handlers, streaming);
    const c = await h.connect(port);
    const body = bytes(4 * MiB, 2);
    const rnd = seeded(3);
    const parts: Buffer[] = [Buffer.from('POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n')];
    for (let at = 0; at < body.length;) {
      const n = Math.min(body.length - at, 1 + Math.floor(rnd() * 100_000));
      parts.push(Buffer.from(`${n.toString(16)}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
      at += n;
    }
    parts.push(Buffer.from('0\r\n\r\n' + GET('/next')));
    const wire = Buffer.concat(parts);
    for (let at = 0; at < wire.length;) {
      const n = 1 + Math.floor(rnd() * 150_000);
      await c.write(wire.subarray(at, at + n));
      at += n;
    }
    const [res, next] = await c.responses(2);
    expect(Buffer.from(res!.body).toString()).toBe(`${body.length} ${sha(body)}`);
    expect(Buffer.from(next!.body).toString()).toBe('/next');
  });

  it('a body over maxBodyBytes complete with its head comes as one BODY_DONE chunk; chunked trailers are dropped and the next request framed', async () => {
    const { handlers, state } = hashingHandlers({ ack: 'sync' });
    const { port } = await h.start(handlers, { limits: { ...streaming.limits, maxBodyBytes: 1000 } });
    const c = await h.connect(port);
    const small = bytes(5000, 14);
    const chunked = bytes(3000, 15);
    // all in one write: the first body is complete with its head, the chunked one too (with a trailer)
    await c.write(Buffer.concat([
      Buffer.from(`POST /whole HTTP/1.1\r\nHost: t\r\nContent-Length: ${small.length}\r\n\r\n`), small,
      Buffer.from(`POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${chunked.length.toString(16)};ext=1\r\n`),
      chunked, Buffer.from('\r\n0\r\nX-Trailer: yes\r\n\r\n'), Buffer.from(GET('/after')),
    ]));
    const [whole, ch, after] = await c.responses(3);
    expect(Buffer.from(whole!.body).toString()).toBe(`${small.length} ${sha(small)}`);
    expect(Buffer.from(ch!.body).toString()).toBe(`${chunked.length} ${sha(chunked)}`);
    expect(Buffer.from(after!.body).toString()).toBe('/after');
    expect(state.flags.map((f) => f & BODY_STREAM)).toEqual([BODY_STREAM, BODY_STREAM, 0]);
    expect(state.ends).toEqual([BODY_DONE, BODY_DONE]);
  });

  it('a streamed body of a Connection: close request is read to its end, answered, then the connection closes', async () => {
    const { handlers } = hashingHandlers({ ack: 'sync' });
    const { port } = await h.start(handlers, streaming);
    const c = await h.connect(port);
    const body = bytes(2 * MiB, 16);
    await c.write(`POST /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`);
    const rnd = seeded(17);
    for (let at = 0; at < body.length;) {
      const n = 1 + Math.floor(rnd() * 300_000);
      await c.write(body.subarray(at, at + n));
      at += n;
    }
    const responses = await c.untilEnd();
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual([`${body.length} ${sha(body)}`]);
  });

  it('100 Continue goes out when JS starts reading the streamed body', async () => {
    const { handlers } = hashingHandlers({ ack: 'sync' });
    const { port } = await h.start(handlers, streaming);
    const c = await h.connect(port);
    const body = bytes(300_000, 4);
    await c.write(`POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
    await c.waitFor('100 Continue', () => (c.received.toString('latin1').startsWith('HTTP/1.1 100 Continue\r\n\r\n') ? true : undefined));
    await c.write(body);
    await c.waitFor('the final response', () => (c.received.toString('latin1').includes(sha(body)) ? true : undefined));
  });

  it('a body answered before it is read is discarded and the next pipelined request is framed', async () => {
    const { handlers } = hashingHandlers({ ack: 'sync', answerEarly: true });
    const { port } = await h.start(handlers, streaming);
    const c = await h.connect(port);
    const body = bytes(600_000, 5);
    await c.write(`POST /early HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
    await c.write(body);
    await c.write(GET('/second'));
    const [first, second] = await c.responses(2);
    expect(Buffer.from(first!.body).toString()).toBe('/early');
    expect(Buffer.from(second!.body).toString()).toBe('/second');
    expect(c.ended).toBe(false);
  });

  it('a rest larger than maxDiscardBytes closes the connection after the response', async () => {
    const { handlers } = hashingHandlers({ ack: 'sync', answerEarly: true });
    const { port } = await h.start(handlers, { limits: { ...streaming.limits, maxDiscardBytes: 100_000 } });
    const c = await h.connect(port);
    await c.write(`POST /early HTTP/1.1\r\nHost: t\r\nContent-Length: ${4 * MiB}\r\n\r\n`);
    const responses = await c.untilEnd();
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(['/early']);
  });

  it('a chunked body over maxStreamBodyBytes ends its stream with 413; the transport answers 413 and closes', async () => {
    const { handlers, state } = hashingHandlers({ ack: 'sync' });
    const { port } = await h.start(handlers, { limits: { ...streaming.limits, maxStreamBodyBytes: 200_000 } });
    const c = await h.connect(port);
    const chunk = bytes(50_000, 6);
    await c.write('POST /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 5; i++) await c.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    const responses = await c.untilEnd();
    expect(responses.map((r) => r.status)).toEqual([413]);
    expect(state.ends).toEqual([413]);
  });

  it('disconnects at seeded points of an upload end the stream as aborted, every time, and leave nothing behind', async () => {
    const { handlers, state, uploads } = hashingHandlers({ ack: 'sync' });
    const { server, port } = await h.start(handlers, streaming);
    const rnd = seeded(11);
    const body = bytes(512 * 1024, 8);
    const cycles = 50;
    for (let i = 0; i < cycles; i++) {
      const c = await h.connect(port);
      const cut = 1 + Math.floor(rnd() * (body.length - 2));
      // the connection is gone (removed) once a close notice finds no connection left
      const closed = new Promise<void>((resolve) => {
        state.onClosed = () => {
          if (server.stats().connections === 0) resolve();
        };
      });
      await c.write(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
      await c.write(body.subarray(0, cut));
      c.destroy();
      await closed;
    }
    expect(state.ends.length).toBe(cycles);
    expect(state.closed.length).toBeGreaterThanOrEqual(cycles);
    expect(state.ends.every((e) => e === BODY_ABORTED)).toBe(true);
    expect([...uploads.values()].every((u) => u.end === BODY_ABORTED)).toBe(true);
    expect(server.stats().connections).toBe(0);
  });

  it('a consumer that never reads is cut by the body timeout (408 from the transport, 408 ending the stream), not by memory', async () => {
    const ends: number[] = [];
    let delivered = 0;
    const handlers: ServerHandlers = {
      onBatch() {},
      onBodyChunks(chunks) {
        for (let k = 0; k < chunks.count; k++) {
          delivered += chunks.data(k).length;
          if (chunks.end(k) !== BODY_MORE) ends.push(chunks.end(k));
        }
      },
    };
    const { port } = await h.start(handlers, {
      limits: streaming.limits,
      timeouts: { bodyGrace: 300, bodyMinRate: 1024 * 1024 },
    });
    const c = await h.connect(port);
    const started = Date.now();
    await c.write(`POST /never HTTP/1.1\r\nHost: t\r\nContent-Length: ${64 * MiB}\r\n\r\n`);
    const body = bytes(MiB, 13);
    // queued without waiting for the callbacks: the server stops reading once its window is full
    for (let i = 0; i < 64; i++) c.socket.write(body);
    const responses = await c.untilEnd();
    expect(responses.map((r) => r.status)).toEqual([408]);
    expect(ends).toEqual([408]);
    expect(delivered).toBeLessThanOrEqual(WINDOW + 2 * READ);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('streaming off (the default): a body over maxBodyBytes is 413 before it is read, as before', async () => {
    const { handlers, state } = hashingHandlers({ ack: 'sync' });
    const { port } = await h.start(handlers, { limits: { maxBodyBytes: 1000 } });
    const c = await h.connect(port);
    await c.write('POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n');
    const responses = await c.untilEnd();
    expect(responses.map((r) => r.status)).toEqual([413]);
    expect(state.flags).toEqual([]);
  });

});

describe('streamed request bodies (inject)', () => {
  it('inject streams too: a body over maxBodyBytes arrives as chunks', async () => {
    const { handlers } = hashingHandlers({ ack: 'sync' });
    const body = bytes(300_000, 9);
    const raw = Buffer.concat([Buffer.from(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`), body, Buffer.from(GET('/z'))]);
    const [res, z] = parseResponses(await inject(handlers, raw, streaming));
    expect(Buffer.from(res!.body).toString()).toBe(`${body.length} ${sha(body)}`);
    expect(Buffer.from(z!.body).toString()).toBe('/z');
  });
});
