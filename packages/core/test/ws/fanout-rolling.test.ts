/**
 * A fan-out larger than one loop turn's writes, both transports. The native loop writes a few hundred
 * subscribers per loop turn and queues the rest (native-loop/native/fanout_writes.cc); messages that
 * a publisher sends while the queue is being written are published behind the queued bytes, so one
 * write carries several messages. Seeded, real sockets:
 * - a publisher's frame stream, split at seeded byte offsets into writes one tick apart (messages
 *   arrive part-way through the fan-outs), reaches every reading subscriber whole and in publish
 *   order, nothing twice and nothing else; subscribers that half-close or reset at seeded points
 *   part-way through are closed (1006) and nobody else is, their bytes a prefix of the stream;
 *   subscribers the server closes (`ws.close`) or terminates right after a seeded message, while
 *   their bytes are queued, get exactly the stream up to that message and then the close frame
 *   (closed, they get nothing after it), or a prefix of it (terminated);
 * - subscribers that never read, queued with the others on every turn, are still closed once their
 *   unsent bytes pass maxBackpressure (bufferedAmount never grows past it by more than a turn), while
 *   the readers of the same big messages get all of them.
 */
import net from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { App, type WebSocket } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { upgradeRaw } from '../support/raw-upgrade.js';
import { clientFrame, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

/** Subscribers: well over the native loop's writes per loop turn (kFanoutWrites = 128). */
const N = 400;
const SEED = 0xfa40e1;

type Kind = 'reader' | 'closer' | 'reset' | 'stalled' | 'kicked' | 'terminated';

interface Sub {
  index: number;
  kind: Kind;
  socket: net.Socket;
  /** bytes after the 101 head, compared with the expected stream as they come */
  got: number;
  mismatch: number;
  /** a closer / reset subscriber leaves once it has this many bytes */
  leaveAt: number;
  left: boolean;
}

/** The unmasked server frame of a whole message (FIN, no extension). */
function serverFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  let head: Buffer;
  if (n < 126) head = Buffer.from([0x80 | opcode, n]);
  else if (n < 65536) head = Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]);
  else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/** A raw subscriber on `path`; bytes after the 101 are checked against `stream()` (not kept). */
function openSub(port: number, path: string, index: number, kind: Kind, leaveAt: number, stream: () => Buffer): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const sub: Sub = { index, kind, socket, got: 0, mismatch: -1, leaveAt, left: false };
    const take = (d: Buffer): void => {
      if (sub.left) return;
      const s = stream();
      if (sub.mismatch < 0 && !d.equals(s.subarray(sub.got, sub.got + d.length))) sub.mismatch = sub.got;
      sub.got += d.length;
      // a subscriber closed by the server answers once the whole stream before the close frame is in
      if (kind === 'kicked' && sub.got === s.length) socket.write(clientFrame(8, s.subarray(s.length - 2)));
      if ((kind === 'closer' || kind === 'reset') && sub.got >= leaveAt) {
        sub.left = true;
        if (kind === 'reset') socket.resetAndDestroy();
        else socket.end(); // FIN: the server sees EOF on a WebSocket and closes it
      }
    };
    socket.on('error', (e) => {
      if (!sub.left) reject(e);
    });
    upgradeRaw(socket, path, take).then(() => resolve(sub), reject);
  });
}

async function openAll(port: number, specs: Array<{ path: string; kind: Kind; leaveAt: number; stream?: () => Buffer }>,
  stream: () => Buffer): Promise<Sub[]> {
  const out: Sub[] = [];
  for (let i = 0; i < specs.length; i += 100) {
    const batch = specs.slice(i, i + 100);
    out.push(...(await Promise.all(batch.map((s, k) => openSub(port, s.path, i + k, s.kind, s.leaveAt, s.stream ?? stream)))));
  }
  return out;
}

describe.each(TRANSPORTS)('fan-out over several loop turns (%s transport)', (transport) => {
  let server: TestServer | undefined;
  let subs: Sub[] = [];
  let extra: net.Socket[] = [];
  afterEach(async () => {
    for (const s of subs) s.socket.destroy();
    for (const s of extra) s.destroy();
    subs = [];
    extra = [];
    await server?.close();
    server = undefined;
  });

  it('messages published part-way through a fan-out arrive whole and in order; leavers close only themselves', async () => {
    const rand = prng(SEED);
    // the publisher's messages: text and binary, sizes across the 7- and 16-bit length encodings
    const frames: Buffer[] = [];
    const wire: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const binary = rand() < 0.4;
      const r = rand();
      const size = r < 0.7 ? 1 + Math.floor(rand() * 124) : r < 0.9 ? 120 + Math.floor(rand() * 12) : 200 + Math.floor(rand() * 3000);
      const tag = `#${i}:`;
      const p = Buffer.alloc(Math.max(size, tag.length), 0x61 + (i % 26));
      p.write(tag, 'latin1');
      if (binary) for (let j = tag.length; j < p.length; j++) p[j] = Math.floor(rand() * 256);
      frames.push(serverFrame(binary ? 2 : 1, p));
      wire.push(clientFrame(binary ? 2 : 1, p));
    }
    const stream = Buffer.concat(frames);
    /** ends[i]: where message i's frame ends in the stream */
    const ends: number[] = [];
    frames.reduce((at, f) => (ends.push(at + f.length), at + f.length), 0);
    const CLOSE_CODE = 4001;
    const closeFrame = Buffer.from([0x88, 2, CLOSE_CODE >> 8, CLOSE_CODE & 0xff]);
    const app = new App({ transport, logger: false });
    let opened = 0;
    const closed = new Map<number, number>();
    const sockets = new Map<number, WebSocket>();
    /** message index → subscribers the server closes / terminates right after publishing it */
    const actions = new Map<number, Array<{ sub: number; terminate: boolean }>>();
    app.ws('/sub/:i', {
      open(ws) {
        sockets.set(Number(ws.params.i), ws);
        ws.subscribe('t');
        opened++;
      },
      close(ws, code) {
        closed.set(Number(ws.params.i), code);
      },
    }, { idleTimeout: 0 });
    let published = 0;
    app.ws('/pub', {
      message(_ws, data, isBinary) {
        app.publish('t', data, isBinary);
        for (const a of actions.get(published++) ?? []) {
          if (a.terminate) sockets.get(a.sub)!.terminate();
          else sockets.get(a.sub)!.close(CLOSE_CODE);
        }
      },
    }, { idleTimeout: 0 });
    server = await startTestServer(app);
    const KINDS: Kind[] = ['reader', 'reader', 'reader', 'closer', 'reader', 'reset', 'kicked', 'terminated'];
    const specs = Array.from({ length: N }, (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      const at = Math.floor(rand() * frames.length);
      if (kind === 'kicked' || kind === 'terminated') {
        actions.set(at, [...(actions.get(at) ?? []), { sub: i, terminate: kind === 'terminated' }]);
      }
      // a closed subscriber's whole stream: the messages up to its close, then the close frame
      const own = kind === 'kicked' ? Buffer.concat([stream.subarray(0, ends[at]), closeFrame]) : stream;
      return { path: `/sub/${i}`, kind, leaveAt: kind === 'terminated' ? ends[at]! : 1 + Math.floor(rand() * (stream.length - 1)), stream: () => own };
    });
    subs = await openAll(server.port, specs, () => stream);
    await expect.poll(() => opened, { timeout: 20_000 }).toBe(N);
    const pub = net.connect({ port: server.port, host: '127.0.0.1' });
    extra.push(pub);
    await new Promise<void>((resolve, reject) => {
      pub.once('error', reject);
      pub.once('data', () => resolve()); // the 101
      pub.write('GET /pub HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    });
    // the frame stream in seeded pieces (frames split across writes too), one write per tick
    const bytes = Buffer.concat(wire);
    for (let at = 0; at < bytes.length;) {
      const n = 1 + Math.floor(rand() * 600);
      pub.write(bytes.subarray(at, at + n));
      at += n;
      await tick();
    }
    const stayers = subs.filter((s) => s.kind === 'reader');
    await expect.poll(() => stayers.filter((s) => s.got < stream.length).length, { timeout: 60_000, interval: 20 }).toBe(0);
    for (const s of subs) expect({ sub: s.index, mismatch: s.mismatch }).toEqual({ sub: s.index, mismatch: -1 });
    for (const s of stayers) expect(s.got).toBe(stream.length);
    const leavers = subs.filter((s) => s.kind === 'closer' || s.kind === 'reset');
    expect(leavers.every((s) => s.left)).toBe(true);
    const kicked = subs.filter((s) => s.kind === 'kicked');
    const terminated = subs.filter((s) => s.kind === 'terminated');
    const gone = subs.filter((s) => s.kind !== 'reader').map((s) => s.index);
    await expect.poll(() => [...closed.keys()].sort((a, b) => a - b), { timeout: 20_000 }).toEqual(gone);
    for (const s of leavers) expect(closed.get(s.index)).toBe(1006);
    // closed by the server: everything published before the close, the close frame, nothing after
    for (const s of kicked) expect({ sub: s.index, got: s.got, code: closed.get(s.index) }).toEqual({ sub: s.index, got: specs[s.index]!.stream().length, code: CLOSE_CODE });
    // terminated: a prefix of what was published before (queued bytes may be dropped), then nothing
    for (const s of terminated) {
      expect(s.got).toBeLessThanOrEqual(s.leaveAt);
      expect(closed.get(s.index)).toBe(1006);
    }
    expect(app.publish('t', 'after')).toBe(stayers.length);
  }, 180_000);

  it('subscribers that never read are closed past maxBackpressure while queued; readers get every message', async () => {
    const MAX = 256 * 1024;
    const rand = prng(SEED + 1);
    // 'small' reaches every subscriber (so every turn's fan-out is larger than a turn's writes);
    // 'big' only the stalled subscribers and a few readers, with far more than their socket buffers
    const STALLED = 4;
    const BIG_READERS = 4;
    const bigFrames: Buffer[] = [];
    const smallFrames: Buffer[] = [];
    const turns: Array<{ small: Buffer; big: Buffer }> = [];
    let total = 0;
    for (let i = 0; total < 12 * 1024 * 1024; i++) {
      const small = Buffer.from(`s${i}`);
      const big = Buffer.alloc(16 * 1024 + Math.floor(rand() * 48 * 1024), i & 0xff);
      big.write(`#${i}:`, 'latin1');
      turns.push({ small, big });
      smallFrames.push(serverFrame(2, small));
      bigFrames.push(serverFrame(2, big));
      total += big.length;
    }
    const small = Buffer.concat(smallFrames);
    const both: Buffer[] = [];
    for (let i = 0; i < turns.length; i++) both.push(smallFrames[i]!, bigFrames[i]!);
    const bigStream = Buffer.concat(both);
    const app = new App({ transport, logger: false });
    let opened = 0;
    const sockets = new Map<number, WebSocket>();
    const closed = new Map<number, number>();
    app.ws('/sub/:i', {
      open(ws) {
        const i = Number(ws.params.i);
        sockets.set(i, ws);
        ws.subscribe('small');
        if (i < STALLED + BIG_READERS) ws.subscribe('big');
        opened++;
      },
      close(ws, code) {
        closed.set(Number(ws.params.i), code);
      },
    }, { idleTimeout: 0, maxBackpressure: MAX });
    server = await startTestServer(app);
    const specs = Array.from({ length: N }, (_, i) => ({ path: `/sub/${i}`, kind: (i < STALLED ? 'stalled' : 'reader') as Kind, leaveAt: 0 }));
    subs = await openAll(server.port, specs, () => bigStream);
    // subscribers past the big ones compare with the small stream
    for (const s of subs.slice(STALLED + BIG_READERS)) {
      s.socket.removeAllListeners('data');
      s.socket.on('data', (d: Buffer) => {
        if (s.mismatch < 0 && !d.equals(small.subarray(s.got, s.got + d.length))) s.mismatch = s.got;
        s.got += d.length;
      });
    }
    const stalled = subs.slice(0, STALLED);
    for (const s of stalled) s.socket.pause();
    await expect.poll(() => opened, { timeout: 20_000 }).toBe(N);
    let maxSeen = 0;
    for (const t of turns) {
      // each turn: one fan-out to every subscriber, one big message to a few (one flush per tick)
      app.publish('small', t.small, true);
      app.publish('big', t.big, true);
      for (let i = 0; i < STALLED; i++) maxSeen = Math.max(maxSeen, sockets.get(i)!.bufferedAmount);
      await tick();
    }
    // every stalled subscriber was closed by the bound (abnormally), nobody else was
    await expect.poll(() => [...closed.keys()].sort((a, b) => a - b), { timeout: 30_000 }).toEqual(stalled.map((s) => s.index));
    for (const s of stalled) expect(closed.get(s.index)).toBe(1006);
    // what was unsent for them never passed the bound by more than one turn's messages
    expect(maxSeen).toBeLessThanOrEqual(MAX + 2 * (64 * 1024 + 16));
    const bigReaders = subs.slice(STALLED, STALLED + BIG_READERS);
    const smallReaders = subs.slice(STALLED + BIG_READERS);
    await expect.poll(() => bigReaders.every((s) => s.got === bigStream.length) && smallReaders.every((s) => s.got === small.length),
      { timeout: 60_000, interval: 20 }).toBe(true);
    for (const s of [...bigReaders, ...smallReaders]) expect({ sub: s.index, mismatch: s.mismatch }).toEqual({ sub: s.index, mismatch: -1 });
    for (const s of stalled) expect(s.mismatch).toBe(-1);
  }, 180_000);
});
