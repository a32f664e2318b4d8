// req.stream({ borrowed: true }) over real sockets, both transports: each chunk is valid until the
// next is asked for, and the native loop reuses its connection's body buffers (native-loop's
// body_pool.cc). What must hold: a borrowed chunk keeps its bytes for as long as the consumer holds
// it (even across event-loop turns in which the loop reads more); a default reader's chunks keep
// their bytes forever, also when its body was read into buffers an earlier borrowed body used; the
// reuse happens (few distinct buffers per connection on the native loop); a borrowed reader that
// stops early leaves the connection framed right for the next pipelined request.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { App, type Request } from '../src/index.js';
import { prng } from './support/prng.js';
import { Raw, bytes, finals, sha } from './support/raw-socket.js';
import { startTestServer, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

const MiB = 1024 * 1024;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A Content-Length or chunked (seeded chunk sizes) upload of `body` to `path`. */
function wireOf(path: string, body: Buffer, chunked: boolean, rnd: () => number): Buffer {
  if (!chunked) return Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
  const parts: Buffer[] = [Buffer.from(`POST ${path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n`)];
  for (let at = 0; at < body.length;) {
    const n = Math.min(body.length - at, 1 + Math.floor(rnd() * 300_000));
    parts.push(Buffer.from(`${n.toString(16)}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** Writes `wire` in seeded pieces (each awaited: the server reads between them). */
async function send(c: Raw, wire: Buffer, rnd: () => number): Promise<void> {
  for (let at = 0; at < wire.length;) {
    const n = 1 + Math.floor(rnd() * 200_000);
    await c.write(wire.subarray(at, at + n));
    at += n;
  }
}

describe.each(TRANSPORTS)('req.stream({ borrowed: true }) (%s transport)', (transport) => {
  let server: TestServer | undefined;
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
    server = undefined;
  });
  async function raw(): Promise<Raw> {
    const r = await Raw.connect(server!.port);
    sockets.push(r.socket);
    return r;
  }

  /**
   * Hashes each borrowed chunk after holding it across 0–3 event-loop turns (seeded), in which the
   * loop reads more of the body: a buffer reused too early changes the hash. Also counts the distinct
   * buffers the chunks lived in.
   */
  function borrowedHasher(seed: number, buffers: Set<ArrayBufferLike>) {
    const rnd = prng(seed);
    return async (req: Request): Promise<string> => {
      const h = createHash('sha256');
      let n = 0;
      for await (const chunk of req.stream({ borrowed: true })) {
        const copy = sha(chunk); // the bytes as handed out
        for (let t = Math.floor(rnd() * 4); t > 0; t--) await turn();
        if (sha(chunk) !== copy) throw new Error(`chunk at ${n} changed while held`);
        h.update(chunk);
        buffers.add(chunk.buffer);
        n += chunk.length;
      }
      return `${n} ${h.digest('hex')}`;
    };
  }

  it('seeded uploads (Content-Length and chunked, several per keep-alive connection, pipelined): each chunk keeps its bytes while held, the hash is the client\'s', async () => {
    const app = new App({ transport, logger: false });
    const buffers = new Set<ArrayBufferLike>();
    app.post('/upload', borrowedHasher(11, buffers), { bodyLimit: 64 * MiB });
    app.get('/next', () => 'next');
    server = await startTestServer(app);
    const rnd = prng(21);
    for (let conn = 0; conn < 3; conn++) {
      const c = await raw();
      const bodies: Buffer[] = [];
      const wires: Buffer[] = [];
      for (let k = 0; k < 3; k++) {
        const body = bytes(MiB + Math.floor(rnd() * 3 * MiB), 300 + conn * 10 + k);
        bodies.push(body);
        wires.push(wireOf('/upload', body, (conn + k) % 2 === 1, rnd));
      }
      // the three uploads and a GET, pipelined in seeded pieces
      await send(c, Buffer.concat([...wires, Buffer.from('GET /next HTTP/1.1\r\nHost: t\r\n\r\n')]), rnd);
      await c.until('four responses', () => c.text().endsWith('next'));
      for (const body of bodies) expect(c.text()).toContain(`${body.length} ${sha(body)}`);
      expect(finals(c.text())).toEqual(['200', '200', '200', '200']);
    }
  }, 120_000);

  it('a default reader keeping every chunk (its body read after a borrowed one on the same connection, and while another connection reads borrowed): its bytes never change', async () => {
    const app = new App({ transport, logger: false });
    const kept: Uint8Array[][] = [];
    app.post('/borrowed', borrowedHasher(5, new Set()), { bodyLimit: 64 * MiB });
    app.post('/keep', async (req) => {
      const mine: Uint8Array[] = [];
      kept.push(mine);
      let n = 0;
      for await (const chunk of req.stream()) {
        mine.push(chunk);
        n += chunk.length;
      }
      return String(n);
    }, { bodyLimit: 64 * MiB });
    server = await startTestServer(app);
    const rnd = prng(8);
    const a = bytes(3 * MiB, 71);
    const b = bytes(5 * MiB, 72);
    const c2 = bytes(3 * MiB, 73);
    const other = bytes(8 * MiB, 74);
    const c = await raw();
    const d = await raw();
    // borrowed, then kept, then borrowed again on one connection (the kept body's buffers must not
    // be lent to the third), while the other connection uploads borrowed
    await Promise.all([
      send(c, Buffer.concat([wireOf('/borrowed', a, false, rnd), wireOf('/keep', b, false, rnd), wireOf('/borrowed', c2, true, rnd)]), rnd),
      send(d, wireOf('/borrowed', other, false, rnd), rnd),
    ]);
    await c.until('three responses', () => c.text().includes(`${c2.length} ${sha(c2)}`));
    await d.until('one response', () => d.text().includes(`${other.length} ${sha(other)}`));
    expect(c.text()).toContain(`${a.length} ${sha(a)}`);
    expect(kept).toHaveLength(1);
    expect(sha(Buffer.concat(kept[0]!))).toBe(sha(b));
  }, 120_000);

  it('a borrowed reader that stops early: the rest is discarded, the next pipelined request is answered', async () => {
    const app = new App({ transport, logger: false });
    app.post('/upload', async (req) => {
      let n = 0;
      for await (const chunk of req.stream({ borrowed: true })) {
        n += chunk.length;
        if (n >= 128 * 1024) break;
      }
      return 'stopped';
    }, { bodyLimit: 64 * MiB });
    app.get('/next', () => 'next');
    server = await startTestServer(app);
    const rnd = prng(3);
    const c = await raw();
    const body = bytes(MiB / 2, 81);
    await send(c, Buffer.concat([wireOf('/upload', body, false, rnd), Buffer.from('GET /next HTTP/1.1\r\nHost: t\r\n\r\n')]), rnd);
    await c.until('two responses', () => c.text().endsWith('next'));
    expect(finals(c.text())).toEqual(['200', '200']);
    expect(c.text()).toContain('stopped');
  }, 60_000);

  it.runIf(transport === 'native')('the native loop reuses the connection\'s body buffers: a 32 MiB borrowed upload lives in at most 12 distinct buffers', async () => {
    const app = new App({ transport, logger: false });
    const buffers = new Set<ArrayBufferLike>();
    app.post('/upload', borrowedHasher(9, buffers), { bodyLimit: 64 * MiB });
    server = await startTestServer(app);
    const rnd = prng(4);
    const body = bytes(32 * MiB, 91);
    const c = await raw();
    await send(c, wireOf('/upload', body, false, rnd), rnd);
    await c.until('the answer', () => c.text().includes(`${body.length} ${sha(body)}`));
    // without reuse one 256 KiB buffer per 256 KiB read, ~128; with it the first buffers of a new
    // connection (16 KiB doubling to 256 KiB: 4) and the 3 the pool keeps, 7 when measured
    if (process.env['JATO_STREAM_REPORT'] === '1') console.log(`distinct buffers: ${buffers.size}`);
    expect(buffers.size).toBeLessThanOrEqual(12);
  }, 60_000);
});
