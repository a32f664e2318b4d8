/**
 * Backpressure on both transports: a peer that does not read makes `send` report Backpressure above
 * the high-water mark, `drain` comes once it reads again; a peer that never reads is closed once its
 * unsent output passes maxBackpressure, so the server's memory for it stays bounded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { App, WsSendStatus, type WebSocket } from '../../src/index.js';
import { connectWebSocket, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

const CHUNK = Buffer.alloc(64 * 1024, 7);
const HWM = 256 * 1024;

describe.each(TRANSPORTS)('WebSocket backpressure (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('send reports Backpressure over the high-water mark; drain fires when the peer reads again', async () => {
    const app = new App({ transport, logger: false, limits: { highWaterMark: HWM } });
    let socket: WebSocket | undefined;
    let drains = 0;
    app.ws('/', { open: (ws) => void (socket = ws), drain: () => void drains++ });
    server = await startTestServer(app);
    const raw = await connectWebSocket(server.port, '/');
    raw.pause();
    await expect.poll(() => socket).toBeDefined();
    const statuses: number[] = [];
    let sent = 0;
    // fill: keep sending until the transport says stop (the kernel buffers take some first)
    for (let i = 0; i < 2000 && statuses.at(-1) !== WsSendStatus.Backpressure; i++) {
      statuses.push(socket!.send(CHUNK));
      sent++;
      if (i % 8 === 7) await new Promise((r) => setImmediate(r));
    }
    expect(statuses.at(-1)).toBe(WsSendStatus.Backpressure);
    expect(socket!.bufferedAmount).toBeGreaterThan(HWM);
    expect(drains).toBe(0);
    raw.resume();
    await expect.poll(() => drains, { timeout: 10_000 }).toBe(1);
    expect(socket!.bufferedAmount).toBeLessThanOrEqual(HWM);
    let frames = 0;
    while (frames < sent) if ((await raw.next()).opcode === 2) frames++;
    expect(frames).toBe(sent);
    raw.destroy();
  });

  it('a peer that never reads is closed past maxBackpressure; unsent memory never exceeds the bound', async () => {
    const MAX = 1024 * 1024;
    const app = new App({ transport, logger: false, limits: { highWaterMark: HWM } });
    let socket: WebSocket | undefined;
    const closes: number[] = [];
    app.ws('/', { open: (ws) => void (socket = ws), close: (_ws, code) => void closes.push(code) }, { maxBackpressure: MAX });
    server = await startTestServer(app);
    const raw = await connectWebSocket(server.port, '/');
    raw.pause();
    await expect.poll(() => socket).toBeDefined();
    let maxSeen = 0;
    let dropped = false;
    for (let i = 0; i < 5000 && !dropped; i++) {
      // the sender ignores Backpressure on purpose: only the bound protects the server
      dropped = socket!.send(CHUNK) === WsSendStatus.Dropped;
      maxSeen = Math.max(maxSeen, socket!.bufferedAmount);
      if (i % 4 === 3) await new Promise((r) => setImmediate(r));
      if (closes.length > 0) break;
    }
    await expect.poll(() => closes, { timeout: 10_000 }).toEqual([1006]);
    // what was queued for it never grew past the bound plus one turn's sends
    expect(maxSeen).toBeLessThanOrEqual(MAX + 4 * (CHUNK.length + 10));
    expect(socket!.send('x')).toBe(WsSendStatus.Dropped);
    raw.destroy();
  });
});
