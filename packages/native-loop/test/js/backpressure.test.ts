import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpServer, ServerHandlers } from '../../src/types.js';
import { answerEach } from './support/answer-each.js';
import { head } from './support/handlers.js';
import { harness } from './support/server.js';
import { readSlowly } from './support/slow-reader.js';

const h = harness();
afterEach(() => h.cleanup());

/** The server-side socket of connection `conn` (JS transport internals, for this test only). */
function serverSocket(server: HttpServer, conn: number): net.Socket {
  return (server as unknown as { peers: Map<number, { socket: net.Socket }> }).peers.get(conn)!.socket;
}

const padded = (i: number) => `GET /r${i} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(2000)}\r\n\r\n`;

describe('js transport: backpressure', () => {
  it('stops reading a pipelining client that does not read while its output is above the high-water mark', async () => {
    const HWM = 64 * 1024;
    const body = 'b'.repeat(16 * 1024);
    let server!: HttpServer;
    let batches = 0;
    let peakUnsent = 0;
    const violations: string[] = [];
    const handlers: ServerHandlers = {
      onBatch(batch, out) {
        batches += 1;
        const socket = serverSocket(server, batch.conn(0));
        if (socket.writableLength >= HWM) violations.push(`batch ${batches} read with ${socket.writableLength} unsent`);
        for (let i = 0; i < batch.count; i++) out.respond(batch.conn(i), batch.seq(i), head(200, body), body, false);
        peakUnsent = Math.max(peakUnsent, socket.writableLength);
      },
    };
    const started = await h.start(handlers, { limits: { highWaterMark: HWM } });
    server = started.server;
    const client = await h.connect(started.port);
    client.socket.pause();
    const n = 2000;
    for (let i = 0; i < n; i += 10) {
      client.socket.write(Array.from({ length: 10 }, (_, k) => padded(i + k)).join(''));
    }
    // read slowly: 512 KiB every 20 ms
    const stopReading = readSlowly(client, 512 * 1024, 20);
    try {
      const responses = await client.responses(n, undefined, n * body.length);
      expect(responses.length).toBe(n);
      expect(responses.every((r, i) => r.status === 200 && r.body.length === body.length && i >= 0)).toBe(true);
    } finally {
      stopReading();
    }
    expect(violations).toEqual([]);
    // the output never grew beyond the mark plus one read's worth of responses (64 KiB of ~2 KiB requests)
    expect(peakUnsent).toBeLessThan(HWM + 40 * body.length);
    expect(batches).toBeGreaterThan(1);
  });

  it('stops reading while a connection has maxInFlight unanswered requests, resumes as they complete', async () => {
    const MAX = 8;
    let server!: HttpServer;
    const violations: number[] = [];
    const handlers = answerEach(
      (send) => setTimeout(send, 1),
      (batch) => {
        const before = server.stats().inFlight - batch.count;
        if (before >= MAX) violations.push(before);
      },
    );
    const started = await h.start(handlers, { limits: { maxInFlight: MAX } });
    server = started.server;
    const client = await h.connect(started.port);
    const n = 300;
    for (let i = 0; i < n; i += 3) {
      client.socket.write(Array.from({ length: 3 }, (_, k) => padded(i + k)).join(''));
    }
    const responses = await client.responses(n);
    expect(responses.map((r) => Buffer.from(r.body).toString())).toEqual(Array.from({ length: n }, (_, i) => `/r${i}`));
    expect(violations).toEqual([]);
  });
});
