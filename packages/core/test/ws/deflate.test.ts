/**
 * permessage-deflate (RFC 7692) on both transports: off unless the route enables it; negotiated with
 * `server_no_context_takeover`; the ws client's compressed messages (with and without its context
 * takeover) are inflated, ours are compressed above the threshold (RSV1 set) and published frames are
 * compressed once; invalid deflate data closes with 1007, an inflated message over the limit with 1009.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { App } from '../../src/index.js';
import { negotiateDeflate } from '../../src/ws/deflate.js';
import { connectWebSocket, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

/** Inflates one message (RFC 7692 §7.2.2: the sync-flush tail added back). */
const inflate = (b: Buffer): string => inflateRawSync(Buffer.concat([b, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
const big = (i: number): string => `message ${i}: ${'the quick brown fox jumps over the lazy dog '.repeat(100)}`;

describe('negotiateDeflate', () => {
  it('accepts known parameters and answers server_no_context_takeover', () => {
    expect(negotiateDeflate('permessage-deflate; client_max_window_bits')?.response).toBe('permessage-deflate; server_no_context_takeover');
    expect(negotiateDeflate('permessage-deflate; client_no_context_takeover')?.response)
      .toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover');
    expect(negotiateDeflate('permessage-deflate; server_max_window_bits=10')?.serverBits).toBe(10);
  });
  it('declines unknown or malformed offers and takes the first acceptable one', () => {
    expect(negotiateDeflate('permessage-deflate; foo')).toBeNull();
    expect(negotiateDeflate('permessage-deflate; server_max_window_bits=8')).toBeNull();
    expect(negotiateDeflate('permessage-deflate; server_max_window_bits=16')).toBeNull();
    expect(negotiateDeflate('permessage-deflate; client_no_context_takeover; client_no_context_takeover')).toBeNull();
    expect(negotiateDeflate('x-webkit-deflate-frame')).toBeNull();
    expect(negotiateDeflate('permessage-deflate; foo, permessage-deflate')?.response).toBe('permessage-deflate; server_no_context_takeover');
  });
});

describe.each(TRANSPORTS)('permessage-deflate (%s transport)', (transport) => {
  let server: TestServer;
  beforeAll(async () => {
    const app = new App({ transport, logger: false });
    app.ws('/z', { message: (ws, d, isBinary) => void ws.send(d, isBinary) }, { perMessageDeflate: { threshold: 64 }, maxPayloadLength: 64 * 1024 });
    app.ws('/plain', { message: (ws, d, isBinary) => void ws.send(d, isBinary) });
    app.ws('/room', { open: (ws) => ws.subscribe('r'), message: (ws, d) => void ws.publish('r', d) }, { perMessageDeflate: true });
    server = await startTestServer(app);
  });
  afterAll(() => server.close());

  for (const clientNoContextTakeover of [false, true]) {
    it(`echoes compressed messages (client context takeover ${!clientNoContextTakeover})`, async () => {
      const c = new WebSocketClient(`ws://127.0.0.1:${server.port}/z`, { perMessageDeflate: { clientNoContextTakeover, threshold: 0 } });
      await new Promise((resolve, reject) => {
        c.once('open', resolve);
        c.once('error', reject);
      });
      expect(c.extensions).toContain('permessage-deflate');
      const got: string[] = [];
      c.on('message', (d) => got.push(String(d)));
      const sent = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? `short ${i}` : big(i)));
      for (const m of sent) c.send(m);
      await expect.poll(() => got.length).toBe(sent.length);
      expect(got).toEqual(sent);
      c.close();
    });
  }

  it('is off unless the route enables it', async () => {
    const raw = await connectWebSocket(server.port, '/plain', { headers: { 'sec-websocket-extensions': 'permessage-deflate' } });
    expect(raw.status).toBe(101);
    expect(raw.headers['sec-websocket-extensions']).toBeUndefined();
    raw.send(1, 'x', { rsv: 4 });
    expect((await raw.closeFrame()).code).toBe(1002);
    raw.destroy();
  });

  it('compresses what it sends above the threshold (RSV1), below it not', async () => {
    const raw = await connectWebSocket(server.port, '/z', { headers: { 'sec-websocket-extensions': 'permessage-deflate' } });
    expect(raw.headers['sec-websocket-extensions']).toBe('permessage-deflate; server_no_context_takeover');
    raw.send(1, big(1));
    raw.send(1, 'tiny');
    const f1 = await raw.next();
    const f2 = await raw.next();
    expect(f1.rsv).toBe(4);
    expect(f1.payload.length).toBeLessThan(big(1).length / 4);
    expect(inflate(f1.payload)).toBe(big(1));
    expect([f2.rsv, f2.payload.toString()]).toEqual([0, 'tiny']);
    raw.destroy();
  });

  it('inflates a client message compressed by hand; invalid deflate data is a 1007; a bomb a 1009', async () => {
    const deflate = (s: string | Buffer): Buffer => {
      const z = deflateRawSync(s, { finishFlush: constants.Z_SYNC_FLUSH });
      return z.subarray(0, z.length - 4);
    };
    const raw = await connectWebSocket(server.port, '/z', { headers: { 'sec-websocket-extensions': 'permessage-deflate; client_no_context_takeover' } });
    raw.send(1, deflate('hello, deflate'), { rsv: 4 });
    expect((await raw.next()).payload.toString()).toBe('hello, deflate');
    raw.send(2, Buffer.from([0xff, 0xff, 0xff, 0xff]), { rsv: 4 });
    expect((await raw.closeFrame()).code).toBe(1007);
    raw.destroy();
    const bomb = await connectWebSocket(server.port, '/z', { headers: { 'sec-websocket-extensions': 'permessage-deflate' } });
    bomb.send(2, deflate(Buffer.alloc(1024 * 1024)), { rsv: 4 }); // 1 MiB of zeros inflates past 64 KiB
    expect((await bomb.closeFrame()).code).toBe(1009);
    bomb.destroy();
  });

  it('publishes one compressed frame to deflate subscribers and a plain one to the others', async () => {
    const z = await connectWebSocket(server.port, '/room', { headers: { 'sec-websocket-extensions': 'permessage-deflate' } });
    const p = await connectWebSocket(server.port, '/room');
    const sender = await connectWebSocket(server.port, '/room');
    sender.send(1, big(7));
    const fz = await z.next();
    const fp = await p.next();
    expect(fz.rsv).toBe(4);
    expect(inflate(fz.payload)).toBe(big(7));
    expect([fp.rsv, fp.payload.toString()]).toEqual([0, big(7)]);
    for (const c of [z, p, sender]) c.destroy();
  });
});
