/**
 * The WebSocket frame case list of @jato/parser (test/ws-corpus) over real sockets, on both
 * transports: after a real handshake the case's client bytes are sent as they are; the `message`
 * handler must see the case's messages in order (also those before a protocol error), the route
 * echoes them and the frames the server sends back must be: a pong for each ping (sent by the
 * transport at once, so possibly before echoes of earlier messages), the echoes in order (none after
 * our close frame), and last the close code echoed or, for every protocol error, a close frame with
 * its code (1002, 1007, 1009), then the end of the TCP connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/index.js';
import { connectWebSocket, startTestServer, type TestServer, type WsTestFrame } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';
import { eventString, fnv1a, loadWsCorpus } from '../../../parser/test/ws-corpus/load.mjs';

interface WsCase { file: string; name: string; raw: Buffer; limits: { maxMessage: number; requireMask: boolean; allowRsv1: boolean }; events: string[] }
const all = (loadWsCorpus as () => WsCase[])();
// the server always requires masks; compressed messages are inflated by core (tested in deflate.test.ts)
const cases = all.filter((c) => c.limits.requireMask && !c.events.some((e) => e.includes('+z')) && !c.limits.allowRsv1);
const limitsUsed = [...new Set(cases.map((c) => c.limits.maxMessage))];

/** What the server must send back for the parser's events. */
function expectedFrames(events: string[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const [kind, a] = e.split(':');
    if (kind === 'text' || kind === 'binary') out.push(e);
    else if (kind === 'ping') out.push(e.replace(/^ping/, 'pong'));
    else if (kind === 'close' || kind === 'error') out.push(`close:${a}`);
  }
  return out;
}

function seen(f: WsTestFrame): string {
  if (f.opcode === 8) return `close:${f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005}`;
  const kind = f.opcode === 1 ? 'text' : f.opcode === 2 ? 'binary' : f.opcode === 10 ? 'pong' : `op${f.opcode}`;
  return `${kind}:${f.payload.length}:${(fnv1a as (b: Uint8Array) => string)(f.payload)}`;
}

describe.each(TRANSPORTS)('the ws case list over sockets (%s transport)', (transport) => {
  let server: TestServer;
  const received = new Map<string, string[]>();
  beforeAll(async () => {
    const app = new App({ transport, logger: false });
    for (const max of limitsUsed) {
      app.ws(`/echo/${max}`, {
        upgrade: (req) => req.query.get('id') ?? '',
        message: (ws, data, isBinary) => {
          const bytes = typeof data === 'string' ? Buffer.from(data) : data;
          received.get(ws.data)?.push(`${isBinary ? 'binary' : 'text'}:${bytes.length}:${(fnv1a as (b: Uint8Array) => string)(bytes)}`);
          ws.send(data, isBinary);
        },
      }, { maxPayloadLength: max });
    }
    server = await startTestServer(app);
  });
  afterAll(() => server.close());

  it('uses the shared list', () => {
    expect(cases.length).toBeGreaterThan(70);
    expect(eventString('error', null, 1002)).toBe('error:1002');
  });

  for (const c of cases) {
    it(`${c.file}#${c.name}`, async () => {
      const id = `${c.file}#${c.name}`;
      received.set(id, []);
      const client = await connectWebSocket(server.port, `/echo/${c.limits.maxMessage}?id=${encodeURIComponent(id)}`);
      expect(client.status).toBe(101);
      client.sendRaw(c.raw);
      const want = expectedFrames(c.events);
      const messages = want.filter((e) => e.startsWith('text') || e.startsWith('binary'));
      const pongs = want.filter((e) => e.startsWith('pong'));
      const close = want.find((e) => e.startsWith('close:'));
      const got: string[] = [];
      for (;;) {
        if (close === undefined && got.length === want.length) break;
        const f = await client.next();
        got.push(seen(f));
        if (f.opcode === 8) break;
      }
      expect(received.get(id)).toEqual(messages);
      expect(got.filter((e) => e.startsWith('pong')).sort()).toEqual([...pongs].sort());
      const echoes = got.filter((e) => e.startsWith('text') || e.startsWith('binary'));
      const failed = c.events.some((e) => e.startsWith('error:'));
      // after a protocol error our close frame is out before JS runs: its echoes are not sent
      if (failed) expect(messages.slice(0, echoes.length)).toEqual(echoes);
      else expect(echoes).toEqual(messages);
      if (close !== undefined) {
        expect(got.at(-1)).toBe(close);
        await client.ended; // the server closes the TCP connection after the close frame
      }
      client.destroy();
    });
  }
});
