/**
 * Differential against the `ws` npm package as the client, on both transports: every message size
 * across the frame-length encodings (0, 1, 125, 126, 65535, 65536, 1 MiB), text and binary, whole
 * and fragmented, with pings interleaved between fragments; what the client gets back is exactly
 * what it sent, in order, and every ping is answered with its payload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { App } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';
import { prng } from '../support/prng.js';

const SIZES = [0, 1, 125, 126, 65535, 65536, 1024 * 1024];

/** Seeded bytes; text is printable ASCII with a 2- and a 3-byte UTF-8 character at the start. */
function payload(size: number, seed: number, text: boolean): Buffer {
  const rand = prng(seed);
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = text ? 32 + Math.floor(rand() * 95) : Math.floor(rand() * 256);
  if (text && size >= 5) b.write('é€', 0, 'utf8');
  return b;
}

async function open(url: string): Promise<WebSocketClient> {
  const c = new WebSocketClient(url, { maxPayload: 64 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    c.once('open', resolve);
    c.once('error', reject);
  });
  return c;
}

/** Collects the next `n` messages as [isBinary, bytes]. */
function collect(c: WebSocketClient, n: number): Promise<Array<[boolean, Buffer]>> {
  return new Promise((resolve) => {
    const got: Array<[boolean, Buffer]> = [];
    const on = (data: Buffer, isBinary: boolean): void => {
      got.push([isBinary, Buffer.from(data)]);
      if (got.length === n) {
        c.off('message', on);
        resolve(got);
      }
    };
    c.on('message', on);
  });
}

describe.each(TRANSPORTS)('differential vs the ws client (%s transport)', (transport) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    const app = new App({ transport, logger: false });
    app.ws('/echo', { message: (ws, data, isBinary) => void ws.send(data, isBinary) }, { maxPayloadLength: 4 * 1024 * 1024 });
    server = await startTestServer(app);
    url = `ws://127.0.0.1:${server.port}/echo`;
  });
  afterAll(() => server.close());

  for (const text of [true, false]) {
    it(`echoes ${text ? 'text' : 'binary'} of every length encoding, whole`, async () => {
      const c = await open(url);
      const sent = SIZES.map((n, i) => payload(n, 100 + i, text));
      const got = collect(c, sent.length);
      for (const p of sent) c.send(text ? p.toString('utf8') : p, { binary: !text });
      const back = await got;
      expect(back.map(([b]) => b)).toEqual(sent.map(() => !text));
      for (let i = 0; i < sent.length; i++) expect(back[i]![1].equals(sent[i]!), `size ${SIZES[i]}`).toBe(true);
      c.close();
    });

    it(`echoes ${text ? 'text' : 'binary'} sent in fragments with pings between them`, async () => {
      const c = await open(url);
      const pongs: string[] = [];
      c.on('pong', (d) => pongs.push(d.toString()));
      const sent = SIZES.map((n, i) => payload(n, 200 + i, text));
      const got = collect(c, sent.length);
      let pings = 0;
      for (const p of sent) {
        const parts = [p.subarray(0, Math.floor(p.length / 3)), p.subarray(Math.floor(p.length / 3), Math.floor((2 * p.length) / 3)), p.subarray(Math.floor((2 * p.length) / 3))];
        for (let k = 0; k < parts.length; k++) {
          c.send(parts[k]!, { binary: !text, fin: k === parts.length - 1 });
          if (k < parts.length - 1) c.ping(`p${pings++}`);
        }
      }
      const back = await got;
      for (let i = 0; i < sent.length; i++) expect(back[i]![1].equals(sent[i]!), `size ${SIZES[i]}`).toBe(true);
      await expect.poll(() => pongs.length).toBe(pings);
      expect(pongs).toEqual(Array.from({ length: pings }, (_, i) => `p${i}`));
      c.close();
    });
  }

  it('multi-byte UTF-8 text survives splitting a code point across fragments', async () => {
    const c = await open(url);
    const s = Buffer.from('héllo € 𝄞 ✓'.repeat(50));
    const got = collect(c, 1);
    // cut inside a 4-byte sequence
    const cut = s.indexOf(Buffer.from('𝄞')) + 2;
    c.send(s.subarray(0, cut), { binary: false, fin: false });
    c.send(s.subarray(cut), { binary: false, fin: true });
    const [[isBinary, bytes]] = (await got) as [[boolean, Buffer]];
    expect(isBinary).toBe(false);
    expect(bytes.toString()).toBe(s.toString());
    c.close();
  });

  it('a message over maxPayloadLength closes with 1009', async () => {
    const c = await open(url);
    const closed = new Promise<number>((resolve) => c.once('close', (code) => resolve(code)));
    c.send(Buffer.alloc(4 * 1024 * 1024 + 1));
    expect(await closed).toBe(1009);
  });
});
