/**
 * Pub/sub on both transports: 1,000 subscribers of a topic each get every published message once, in
 * order; `ws.publish` reaches every subscriber but the sender; unsubscribe and close leave topics;
 * rooms are independent; `app.publish` returns the number of recipients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { App, type WebSocket } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

const N = 1000;

async function openMany(url: string, n: number): Promise<WebSocketClient[]> {
  const out: WebSocketClient[] = [];
  for (let i = 0; i < n; i += 100) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => new Promise<WebSocketClient>((resolve, reject) => {
      const c = new WebSocketClient(url);
      c.once('open', () => resolve(c));
      c.once('error', reject);
    })))));
  }
  return out;
}

describe.each(TRANSPORTS)('pub/sub (%s transport)', (transport) => {
  let server: TestServer;
  let app: App;
  const subscribed = new Set<WebSocket>();
  beforeAll(async () => {
    app = new App({ transport, logger: false });
    app.ws('/rooms/:room', {
      open(ws) {
        ws.subscribe(ws.params.room);
        subscribed.add(ws);
      },
      message(ws, data) {
        if (data === 'leave') {
          ws.unsubscribe(ws.params.room);
          ws.send('left');
        }
        else ws.publish(ws.params.room, data);
      },
      close: (ws) => void subscribed.delete(ws),
    });
    server = await startTestServer(app);
  });
  afterAll(() => server.close());

  it(`${N} subscribers get every published message once, in order`, async () => {
    const clients = await openMany(`ws://127.0.0.1:${server.port}/rooms/big`, N);
    await expect.poll(() => subscribed.size).toBe(N);
    const got = clients.map(() => [] as string[]);
    clients.forEach((c, i) => c.on('message', (d) => got[i]!.push(String(d))));
    const counts: number[] = [];
    for (let m = 0; m < 20; m++) counts.push(app.publish('big', `m${m}`));
    expect(counts).toEqual(Array(20).fill(N));
    const want = Array.from({ length: 20 }, (_, m) => `m${m}`);
    await expect.poll(() => got.every((g) => g.length === 20), { timeout: 20_000 }).toBe(true);
    for (const g of got) expect(g).toEqual(want);
    await Promise.all(clients.map((c) => new Promise((resolve) => {
      c.once('close', resolve);
      c.close();
    })));
    await expect.poll(() => subscribed.size).toBe(0);
    expect(app.publish('big', 'nobody')).toBe(0);
  }, 60_000);

  it('ws.publish skips the sender; rooms are separate; unsubscribe leaves', async () => {
    const [a, b, c] = await openMany(`ws://127.0.0.1:${server.port}/rooms/r1`, 3);
    const [other] = await openMany(`ws://127.0.0.1:${server.port}/rooms/r2`, 1);
    await expect.poll(() => subscribed.size).toBe(4);
    const seen = new Map<WebSocketClient, string[]>();
    for (const x of [a!, b!, c!, other!]) {
      seen.set(x, []);
      x.on('message', (d) => seen.get(x)!.push(String(d)));
    }
    a!.send('hi from a');
    await expect.poll(() => [seen.get(b!)!.length, seen.get(c!)!.length]).toEqual([1, 1]);
    c!.send('leave');
    await expect.poll(() => seen.get(c!)!.includes('left')).toBe(true);
    expect(app.publish('r1', 'after leave')).toBe(2);
    await expect.poll(() => seen.get(a!)!.includes('after leave') && seen.get(b!)!.includes('after leave')).toBe(true);
    expect(seen.get(a!)).toEqual(['after leave']);
    expect(seen.get(c!)).toEqual(['hi from a', 'left']);
    expect(seen.get(other!)).toEqual([]);
    for (const x of [a!, b!, c!, other!]) x.close();
    await expect.poll(() => subscribed.size).toBe(0);
  });

  it('binary publish and text publish of bytes (validated)', async () => {
    const [a] = await openMany(`ws://127.0.0.1:${server.port}/rooms/bin`, 1);
    await expect.poll(() => subscribed.size).toBe(1);
    const got: Array<[boolean, string]> = [];
    a!.on('message', (d, isBinary) => got.push([isBinary, Buffer.from(d as Buffer).toString('hex')]));
    expect(app.publish('bin', new Uint8Array([1, 2, 3]))).toBe(1);
    expect(app.publish('bin', Buffer.from('é'), false)).toBe(1);
    expect(() => app.publish('bin', new Uint8Array([0xff]), false)).toThrow(TypeError);
    await expect.poll(() => got).toEqual([[true, '010203'], [false, 'c3a9']]);
    a!.close();
    await expect.poll(() => subscribed.size).toBe(0);
  });
});
