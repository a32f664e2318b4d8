/**
 * Fan-out of many messages in one turn, both transports: 1,000 raw subscribers (every one on topic
 * 'all', the odd ones also on 'odd') each receive exactly the byte stream of the frames published to
 * their topics, in publish order, nothing twice and nothing else, when many messages are published
 * in one turn. Turns come from a publisher socket (a burst of frames in one write: one read, one batch,
 * its handler publishing each) and from `app.publish` outside a batch (one flush per tick). Seeded
 * rounds: burst sizes, topics, text (with multi-byte UTF-8) and binary, payload sizes across the
 * 7-bit and 16-bit length encodings.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { upgradeRaw } from '../support/raw-upgrade.js';
import { clientFrame, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

const N = 1000;
const SEED = 0x5eed14;
const ROUNDS = 24;

interface Sub {
  socket: net.Socket;
  odd: boolean;
  chunks: Buffer[];
  bytes: number;
}

/** The unmasked server frame of one whole message (FIN, no extension). */
function serverFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]);
  return Buffer.concat([head, payload]);
}

/** A raw WebSocket on `path`: resolves once the 101 head is in; bytes after it are collected. */
function openSub(port: number, path: string, odd: boolean): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const sub: Sub = { socket, odd, chunks: [], bytes: 0 };
    socket.on('error', reject);
    const take = (d: Buffer): void => {
      sub.chunks.push(d);
      sub.bytes += d.length;
    };
    upgradeRaw(socket, path, take).then(() => resolve(sub), reject);
  });
}

/** Seeded payload: text (ASCII with some 'é') or bytes, sizes around the 125/126 boundary and beyond. */
function payloadOf(rand: () => number, binary: boolean, tag: string): Buffer {
  const r = rand();
  const size = r < 0.5 ? Math.floor(rand() * 126) : r < 0.8 ? 120 + Math.floor(rand() * 12) : Math.floor(rand() * 1500);
  if (binary) {
    const b = Buffer.alloc(Math.max(size, tag.length));
    b.write(tag, 'latin1');
    for (let i = tag.length; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    return b;
  }
  let s = tag;
  while (Buffer.byteLength(s) < size) s += rand() < 0.1 ? 'é' : String.fromCharCode(0x61 + Math.floor(rand() * 26));
  return Buffer.from(s);
}

describe.each(TRANSPORTS)('fan-out in one turn (%s transport)', (transport) => {
  let server: TestServer;
  let app: App;
  let opened = 0;
  const subs: Sub[] = [];
  let publisher: net.Socket;

  beforeAll(async () => {
    app = new App({ transport, logger: false });
    app.ws('/sub/:group', {
      open(ws) {
        ws.subscribe('all');
        if (ws.params.group === 'odd') ws.subscribe('odd');
        opened++;
      },
    }, { idleTimeout: 0 });
    // the first byte of a message picks its topic: 'a' → all, 'o' → odd
    app.ws('/pub', {
      message(_ws, data, isBinary) {
        const first = typeof data === 'string' ? data[0] : String.fromCharCode(data[0] ?? 0);
        app.publish(first === 'o' ? 'odd' : 'all', data, isBinary);
      },
    }, { idleTimeout: 0 });
    server = await startTestServer(app);
    for (let i = 0; i < N; i += 100) {
      subs.push(...(await Promise.all(Array.from({ length: Math.min(100, N - i) }, (_, k) => {
        const odd = (i + k) % 2 === 1;
        return openSub(server.port, odd ? '/sub/odd' : '/sub/even', odd);
      }))));
    }
    const p = await openSub(server.port, '/pub', false);
    publisher = p.socket;
  }, 120_000);

  afterAll(async () => {
    publisher?.destroy();
    for (const s of subs) s.socket.destroy();
    await server?.close();
  });

  it(`${N} subscribers get every message published in a turn exactly once, in order`, async () => {
    await expect.poll(() => opened, { timeout: 20_000 }).toBe(N);
    const rand = prng(SEED);
    const expected = { all: [] as Buffer[], odd: [] as Buffer[] };
    const wantBytes = (odd: boolean): number =>
      expected.all.reduce((n, b) => n + b.length, 0) + (odd ? expected.odd.reduce((n, b) => n + b.length, 0) : 0);
    // what a subscriber must have received: the frames of its topics in publish order
    const order: Array<{ odd: boolean; frame: Buffer }> = [];
    let serial = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const viaSocket = round % 2 === 0;
      const k = 2 + Math.floor(rand() * 40);
      const burst: Buffer[] = [];
      for (let j = 0; j < k; j++) {
        const odd = rand() < 0.3;
        const binary = rand() < 0.4;
        const payload = payloadOf(rand, binary, `${odd ? 'o' : 'a'}${serial++}:`);
        const frame = serverFrame(binary ? 2 : 1, payload);
        order.push({ odd, frame });
        (odd ? expected.odd : expected.all).push(frame);
        if (viaSocket) burst.push(clientFrame(binary ? 2 : 1, payload));
        else expect(app.publish(odd ? 'odd' : 'all', binary ? payload : payload.toString('utf8'), binary)).toBe(odd ? N / 2 : N);
      }
      if (viaSocket) publisher.write(Buffer.concat(burst)); // one write: one read, one batch on the server
      // subscribers still short of their bytes
      await expect.poll(() => subs.filter((s) => s.bytes < wantBytes(s.odd)).length, { timeout: 30_000, interval: 20 }).toBe(0);
    }
    const streamOdd = Buffer.concat(order.map((o) => o.frame));
    const streamEven = Buffer.concat(order.filter((o) => !o.odd).map((o) => o.frame));
    const wrong: number[] = [];
    for (let i = 0; i < N; i++) {
      const s = subs[i]!;
      if (!Buffer.concat(s.chunks).equals(s.odd ? streamOdd : streamEven)) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    expect(order.length).toBeGreaterThan(ROUNDS * 2);
  }, 180_000);
});
