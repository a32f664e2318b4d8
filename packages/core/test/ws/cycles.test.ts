/**
 * 10,000 WebSocket open/close cycles per transport (50 at a time, alternating a clean close
 * handshake and an abrupt reset): every `open` gets exactly one `close`, and afterwards the hub holds
 * no socket and no topic (nothing leaks per connection), and the server still accepts.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { App } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

const CYCLES = 10_000;
const CLOSE_1000 = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);

function cycle(port: number, clean: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let opened = false;
    s.on('error', () => {});
    s.on('close', () => (opened ? resolve() : reject(new Error('closed before the 101'))));
    s.on('data', (d) => {
      if (opened || !d.includes('\r\n\r\n')) return;
      opened = true;
      if (clean) s.write(CLOSE_1000);
      else s.resetAndDestroy();
    });
    s.write(`GET /c HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

describe.each(TRANSPORTS)('open/close cycles (%s transport)', (transport) => {
  let server: TestServer;
  afterAll(() => server.close());

  it(`${CYCLES} cycles: one close per open, nothing left behind`, async () => {
    const app = new App({ transport, logger: false });
    let opens = 0;
    let closes = 0;
    const codes = new Map<number, number>();
    app.ws('/c', {
      open(ws) {
        opens++;
        ws.subscribe('all');
        ws.subscribe(`own-${opens}`);
      },
      close(_ws, code) {
        closes++;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      },
    });
    server = await startTestServer(app);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < CYCLES; i++) {
      pending.push(cycle(server.port, i % 2 === 0));
      if (pending.length === 50) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await expect.poll(() => closes, { timeout: 20_000 }).toBe(CYCLES);
    expect(opens).toBe(CYCLES);
    expect(codes.get(1000)).toBe(CYCLES / 2);
    expect((codes.get(1000) ?? 0) + (codes.get(1006) ?? 0)).toBe(CYCLES);
    const hubs = [...(app.wsApps as unknown as { hubs: Set<{ sockets: Map<number, unknown>; subscriberCount(t: string): number }> }).hubs];
    expect(hubs.length).toBe(1);
    expect(hubs[0]!.sockets.size).toBe(0);
    expect(hubs[0]!.subscriberCount('all')).toBe(0);
    expect((hubs[0] as unknown as { topics: Map<string, unknown> }).topics.size).toBe(0);
    await cycle(server.port, true);
  }, 240_000);
});
