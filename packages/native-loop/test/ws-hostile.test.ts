/**
 * WebSocket connections at the transport level, both transports (and, in test:native, the native
 * loop built with ASan+UBSan): seeded hostile frame streams — the shared case list of @jato/parser
 * mutated (byte flips, insertions, deletions, duplication) and written in random pieces with pauses,
 * some connections reset mid-frame — never crash the server, every connection ends, and the server
 * still answers HTTP and WebSockets correctly afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { RequestFlag, type Responder, type ServerHandlers } from '../src/types.js';
import { TRANSPORTS, harness } from './helpers/transports.js';
import { seeded } from './helpers/raw-client.js';
import { loadWsCorpus } from '../../parser/test/ws-corpus/load.mjs';

const corpus = (loadWsCorpus as () => Array<{ raw: Buffer }>)().map((c) => c.raw).filter((r) => r.length < 8192);

function accept(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** Accepts every upgrade request and echoes every message; plain requests get 200 "ok". */
function wsEcho(): ServerHandlers & { events: number; out?: Responder } {
  const h: ServerHandlers & { events: number; out?: Responder } = {
    events: 0,
    onBatch(batch, out) {
      h.out = out;
      for (let i = 0; i < batch.count; i++) {
        const conn = batch.conn(i);
        const seq = batch.seq(i);
        if ((batch.flags(i) & RequestFlag.Upgrade) === 0) {
          out.respond(conn, seq, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n', 'ok', false);
          continue;
        }
        let key = '';
        for (let j = 0; j < batch.headerCount(i); j++) if (batch.headerName(i, j).toLowerCase() === 'sec-websocket-key') key = batch.headerValue(i, j);
        out.wsAccept!(conn, seq, `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`,
          { maxMessage: 4096, idleTimeout: 0, maxBackpressure: 1 << 20, sendPings: false, deflate: false });
      }
    },
    ws: {
      onEvents(batch) {
        for (let i = 0; i < batch.count; i++) {
          h.events++;
          const kind = batch.kind(i) & 0xff;
          if (kind === 1 || kind === 2) h.out!.wsSend!(batch.conn(i), kind as 1 | 2, Buffer.from(batch.data(i)), false, false);
        }
      },
      onDrain() {},
    },
  };
  return h;
}

function handshake(): string {
  return `GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

/** Opens a ws connection, writes `pieces` (after the 101), then waits for the server to end it (or ends it). */
function hostileSession(port: number, pieces: Buffer[], reset: boolean): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let opened = false;
    const timer = setTimeout(() => s.destroy(), 3000);
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.on('data', (d) => {
      if (opened) return;
      opened = d.includes('\r\n\r\n');
      if (!opened) return;
      let k = 0;
      const next = (): void => {
        if (k === pieces.length) {
          if (reset) s.resetAndDestroy();
          else s.end();
          return;
        }
        s.write(pieces[k++]!, () => setImmediate(next));
      };
      next();
    });
    s.write(handshake());
  });
}

describe.each(TRANSPORTS)('ws hostile input ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('2,000 seeded hostile frame streams in random pieces: no crash, the server still serves', async () => {
    const handlers = wsEcho();
    const { port } = await h.start(handlers);
    const rand = seeded(0x14_5eed);
    const sessions: Promise<void>[] = [];
    for (let round = 0; round < 2000; round++) {
      const parts: Buffer[] = [];
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) parts.push(corpus[Math.floor(rand() * corpus.length)]!);
      const b = [...Buffer.concat(parts)];
      const edits = Math.floor(rand() * 6);
      for (let e = 0; e < edits && b.length > 0; e++) {
        const at = Math.floor(rand() * b.length);
        const op = rand();
        if (op < 0.5) b[at] = Math.floor(rand() * 256);
        else if (op < 0.7) b.splice(at, 0, Math.floor(rand() * 256));
        else if (op < 0.85) b.splice(at, 1 + Math.floor(rand() * 8));
        else b.splice(at, 0, ...b.slice(at, at + Math.floor(rand() * 40)));
      }
      const bytes = Buffer.from(b);
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        const len = 1 + Math.floor(rand() * 200);
        pieces.push(bytes.subarray(at, at + len));
        at += len;
      }
      sessions.push(hostileSession(port, pieces, rand() < 0.2));
      if (sessions.length >= 50) await Promise.all(sessions.splice(0));
    }
    await Promise.all(sessions);
    expect(handlers.events).toBeGreaterThan(100);
    // still serving: HTTP and a clean WebSocket echo
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
    const echoed = await new Promise<Buffer>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      let opened = false;
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (!opened) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          opened = true;
          buf = buf.subarray(end + 4);
          s.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x68, 0x69]));
        }
        if (buf.length >= 4) {
          s.destroy();
          resolve(buf.subarray(0, 4));
        }
      });
      s.write(handshake());
    });
    expect([...echoed]).toEqual([0x81, 0x02, 0x68, 0x69]);
  }, 120_000);
});
