/**
 * Fan-out writes that the socket does not take whole, both transports: the native loop writes a
 * turn's frames straight to each socket (send/sendmsg, non-blocking) and queues what is left, so
 * order across a short write, a full socket and the queued tail must hold, and a write error must
 * close only its own connection. Seeded: subscribers that stop reading while far more than their
 * socket buffers is published (small frames gathered with large ones, many per turn) still get the
 * whole stream, byte for byte in order, once they read again, and so do subscribers that pause and
 * resume reading at seeded turns (their sockets fill, drain a little, fill again); subscribers that reset their
 * connection part-way through (RST, read mid-stream) are closed (1006) and nobody else is; those
 * that read all along get everything too.
 */
import net from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { upgradeRaw } from '../support/raw-upgrade.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

const SEED = 0x5e4d0a;
const SUBS = 24;
/** Bytes published to every subscriber: well over a loopback socket's send + receive buffers. */
const TOTAL = 6 * 1024 * 1024;

type Kind = 'reader' | 'stalled' | 'stutter' | 'reset';

interface Sub {
  index: number;
  kind: Kind;
  socket: net.Socket;
  /** bytes after the 101 head, checked against the expected stream as they come */
  got: number;
  mismatch: number;
  /** a reset subscriber resets once it has this many bytes */
  resetAt: number;
  wasReset: boolean;
}

/** The unmasked server frame of a whole binary message. */
function serverFrame(payload: Buffer): Buffer {
  const n = payload.length;
  let head: Buffer;
  if (n < 126) head = Buffer.from([0x82, n]);
  else if (n < 65536) head = Buffer.from([0x82, 126, n >> 8, n & 0xff]);
  else {
    head = Buffer.alloc(10);
    head[0] = 0x82;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Seeded message plan: turns of 1–8 messages, mostly small, some of 4–40 KiB, a few of 64–320 KiB. */
function plan(rand: () => number): { turns: Buffer[][]; stream: Buffer } {
  const turns: Buffer[][] = [];
  const frames: Buffer[] = [];
  let total = 0;
  let serial = 0;
  while (total < TOTAL) {
    const turn: Buffer[] = [];
    const k = 1 + Math.floor(rand() * 8);
    for (let j = 0; j < k; j++) {
      const r = rand();
      const size = r < 0.6 ? 1 + Math.floor(rand() * 300) : r < 0.9 ? 4096 + Math.floor(rand() * 36 * 1024) : 65536 + Math.floor(rand() * 256 * 1024);
      const p = Buffer.alloc(size);
      const tag = `#${serial++}:`;
      p.write(tag.slice(0, size), 'latin1');
      for (let i = tag.length; i < size; i++) p[i] = Math.floor(rand() * 256);
      turn.push(p);
      const f = serverFrame(p);
      frames.push(f);
      total += f.length;
    }
    turns.push(turn);
  }
  return { turns, stream: Buffer.concat(frames) };
}

/** A raw WebSocket subscriber; bytes after the 101 are compared with `stream` at once (not kept). */
function openSub(port: number, index: number, kind: Kind, resetAt: number, stream: Buffer): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const sub: Sub = { index, kind, socket, got: 0, mismatch: -1, resetAt, wasReset: false };
    const take = (d: Buffer): void => {
      if (sub.mismatch < 0 && !d.equals(stream.subarray(sub.got, sub.got + d.length))) sub.mismatch = sub.got;
      sub.got += d.length;
      if (kind === 'reset' && !sub.wasReset && sub.got >= resetAt) {
        sub.wasReset = true;
        socket.resetAndDestroy();
      }
    };
    socket.on('error', (e) => {
      if (!sub.wasReset) reject(e);
    });
    upgradeRaw(socket, `/sub/${index}`, take).then(() => resolve(sub), reject);
  });
}

describe.each(TRANSPORTS)('fan-out with short writes and resets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  let subs: Sub[] = [];
  afterEach(async () => {
    for (const s of subs) s.socket.destroy();
    subs = [];
    await server?.close();
    server = undefined;
  });

  it('stalled subscribers get the whole stream in order; a reset closes only its own connection', async () => {
    const rand = prng(SEED);
    const { turns, stream: planned } = plan(rand);
    const last = Buffer.from('after');
    const stream = Buffer.concat([planned, serverFrame(last)]); // what every survivor must receive
    const app = new App({ transport, logger: false });
    let opened = 0;
    const closed = new Map<number, number>();
    app.ws('/sub/:i', {
      open(ws) {
        ws.subscribe('t');
        opened++;
      },
      close(ws, code) {
        closed.set(Number(ws.params.i), code);
      },
    }, { idleTimeout: 0 });
    server = await startTestServer(app);
    const KINDS: Kind[] = ['stalled', 'reader', 'reset', 'stutter'];
    const kinds: Kind[] = Array.from({ length: SUBS }, (_, i) => KINDS[i % KINDS.length]!);
    // a reset lands somewhere in the first half of the stream (seeded), while the fan-out goes on
    subs = await Promise.all(kinds.map((kind, i) => openSub(server!.port, i, kind, Math.floor(rand() * (planned.length / 2)), stream)));
    for (const s of subs) if (s.kind === 'stalled') s.socket.pause();
    await expect.poll(() => opened, { timeout: 10_000 }).toBe(SUBS);

    // one tick per turn: each turn's frames are gathered into one write per connection; stuttering
    // subscribers pause and resume at seeded turns, so their sockets fill, drain a little and fill
    // again (writes that find the socket full, or take part of a turn, with or without a queued tail)
    const stutter = subs.filter((s) => s.kind === 'stutter');
    for (const turn of turns) {
      for (const p of turn) app.publish('t', p, true);
      for (const s of stutter) if (rand() < 0.3) s.socket.isPaused() ? s.socket.resume() : s.socket.pause();
      await tick();
    }
    for (const s of stutter) s.socket.resume();
    // the readers have everything while the stalled ones still hold most of it unread
    const readers = subs.filter((s) => s.kind === 'reader');
    const stalled = subs.filter((s) => s.kind === 'stalled');
    await expect.poll(() => [...readers, ...stutter].every((s) => s.got === planned.length), { timeout: 30_000, interval: 20 }).toBe(true);
    expect(stalled.every((s) => s.got < planned.length)).toBe(true);
    for (const s of stalled) s.socket.resume();
    await expect.poll(() => stalled.filter((s) => s.got < planned.length).length, { timeout: 30_000, interval: 20 }).toBe(0);

    for (const s of subs) expect({ sub: s.index, mismatch: s.mismatch }).toEqual({ sub: s.index, mismatch: -1 });
    for (const s of [...readers, ...stalled, ...stutter]) expect(s.got).toBe(planned.length);
    // every reset connection was closed by the server (abnormally), nothing else was
    const resets = subs.filter((s) => s.kind === 'reset');
    expect(resets.every((s) => s.wasReset)).toBe(true);
    await expect.poll(() => [...closed.keys()].sort((a, b) => a - b), { timeout: 10_000 }).toEqual(resets.map((s) => s.index));
    for (const s of resets) expect(closed.get(s.index)).toBe(1006);
    // the others are still open and subscribed: one more message reaches exactly them
    expect(app.publish('t', last, true)).toBe(SUBS - resets.length);
    await expect.poll(() => [...readers, ...stalled, ...stutter].every((s) => s.got === stream.length), { timeout: 10_000 }).toBe(true);
    for (const s of subs) expect({ sub: s.index, mismatch: s.mismatch }).toEqual({ sub: s.index, mismatch: -1 });
  }, 120_000);
});
