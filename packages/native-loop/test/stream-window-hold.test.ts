import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BODY_DONE, BODY_MORE, BODY_STREAM, type BodyChunks } from '../src/stream-input.js';
import type { Responder, ServerHandlers, ServerOptions } from '../src/types.js';
import { bytes, sha } from './helpers/body-bytes.js';
import { eachRequest } from './helpers/each-request.js';
import { seeded } from './helpers/raw-client.js';
import { TRANSPORTS, harness, ok } from './helpers/transports.js';

// The body window across a turn's dispatch: the native loop holds a window that the reads of a turn
// filled until that turn's dispatch (JS consuming at once reopens it without a stop/start of
// reading) and stops reading when JS did not consume. Both must keep the window bound, and a held
// window JS leaves full must leave the loop idle (stopped reading), not polling the socket.

const MiB = 1024 * 1024;
const WINDOW = 64 * 1024;
const READ = 64 * 1024;
const streaming: ServerOptions = { limits: { maxBodyBytes: 64 * 1024, maxStreamBodyBytes: Infinity, bodyWindow: WINDOW } };

/**
 * Hashes the streamed body of each request and answers `<size> <sha256>`. Consumed bytes are
 * reported at once while `state.acking`; otherwise they wait in `state.owed` until `resume()`.
 */
function consumer() {
  let out: Responder | undefined;
  let current: { conn: number; seq: number } | undefined;
  const hash = createHash('sha256');
  const state = { acking: true, size: 0, unacked: 0, maxUnacked: 0, owed: 0, onChunk: (): void => {} };
  const ack = (n: number): void => {
    state.unacked -= n;
    out!.bodyRead!(current!.conn, current!.seq, n);
  };
  const handlers: ServerHandlers = {
    onBatch: eachRequest(
      (o) => (out = o),
      ({ batch, i, conn, seq }, o) => {
        expect(batch.flags(i) & BODY_STREAM).toBe(BODY_STREAM);
        current = { conn, seq };
        o.bodyRead!(conn, seq, 0);
      },
    ),
    onBodyChunks(chunks: BodyChunks) {
      for (let k = 0; k < chunks.count; k++) {
        const data = chunks.data(k);
        hash.update(data);
        state.size += data.length;
        state.unacked += data.length;
        state.maxUnacked = Math.max(state.maxUnacked, state.unacked);
        if (state.acking) ack(data.length);
        else state.owed += data.length;
        if (chunks.end(k) === BODY_DONE) {
          const body = `${state.size} ${hash.digest('hex')}`;
          out!.respond(current!.conn, current!.seq, ok(body.length), body, false);
        } else {
          expect(chunks.end(k)).toBe(BODY_MORE);
        }
      }
      state.onChunk();
    },
  };
  const resume = (): void => {
    state.acking = true;
    const n = state.owed;
    state.owed = 0;
    if (n > 0) ack(n);
  };
  return { handlers, state, resume };
}

describe.each(TRANSPORTS)('the body window across a dispatch ($name transport)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  it('a consumer reporting each chunk as it comes: seeded large writes hash right, never more than the window + one read ahead', async () => {
    const { handlers, state } = consumer();
    const { port } = await h.start(handlers, streaming);
    const c = await h.connect(port);
    const body = bytes(8 * MiB, 21);
    await c.write(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
    const rnd = seeded(21);
    for (let at = 0; at < body.length;) {
      const n = 1 + Math.floor(rnd() * 1_000_000);
      c.socket.write(body.subarray(at, at + n));
      at += n;
    }
    const [res] = await c.responses(1);
    expect(Buffer.from(res!.body).toString()).toBe(`${body.length} ${sha(body)}`);
    expect(state.maxUnacked).toBeLessThanOrEqual(WINDOW + 2 * READ);
  });

  it('a consumer that stops reporting mid-body: reading stops at the window and the loop goes idle; reporting again resumes the body to its end', async () => {
    const { handlers, state, resume } = consumer();
    const { port } = await h.start(handlers, { ...streaming, timeouts: { bodyGrace: 60_000, bodyMinRate: 1 } });
    const c = await h.connect(port);
    const body = bytes(4 * MiB, 22);
    // the consumer stops reporting after the first MiB; the window fills with what follows
    let filled: () => void = () => {};
    const full = new Promise<void>((resolve) => (filled = resolve));
    let stopped = false;
    state.onChunk = () => {
      if (!stopped && state.size >= MiB) {
        stopped = true;
        state.acking = false;
      }
      if (!state.acking && state.owed >= WINDOW) filled();
    };
    await c.write(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
    c.socket.write(body); // queued whole: the client keeps sending while the server reads
    await full;
    // the loop is blocked in its poll (not reading the socket again and again): the event loop of
    // this process stays mostly idle over a measured stretch
    const before = performance.eventLoopUtilization();
    await delay(300);
    const elu = performance.eventLoopUtilization(before);
    expect(elu.utilization).toBeLessThan(0.5);
    expect(state.owed).toBeLessThanOrEqual(WINDOW + 2 * READ);
    expect(state.maxUnacked).toBeLessThanOrEqual(WINDOW + 2 * READ);
    resume();
    const [res] = await c.responses(1);
    expect(Buffer.from(res!.body).toString()).toBe(`${body.length} ${sha(body)}`);
  });
});
