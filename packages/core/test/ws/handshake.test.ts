/**
 * The opening handshake on both transports: version 13 only (426 + Sec-WebSocket-Version otherwise),
 * a valid Sec-WebSocket-Key (400), Upgrade: websocket (426), a plain GET (426), refusal by `upgrade`
 * (any Response), async `upgrade` with typed data, Origin available to it, subprotocol choice, the
 * accept key (RFC 6455 §1.3 example), HTTP going on after a refused upgrade.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { App, Response } from '../../src/index.js';
import { acceptKey } from '../../src/ws/handshake.js';
import { connectWebSocket, rawRequest, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

it('computes the RFC 6455 example accept key', () => {
  expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

describe.each(TRANSPORTS)('the WebSocket handshake (%s transport)', (transport) => {
  let server: TestServer;
  const seen: Array<{ origin: string | undefined; user: string; room: string; protocol: string }> = [];
  beforeAll(async () => {
    const app = new App({ transport, logger: false });
    app.ws('/rooms/:room', {
      async upgrade(req) {
        await new Promise((r) => setTimeout(r, 5));
        if (req.header('origin') === 'https://evil.example') return new Response('origin refused', { status: 403 });
        return { user: req.query.get('user') ?? 'anon', origin: req.header('origin') };
      },
      open(ws) {
        const user: string = ws.data.user; // typed data
        const room: string = ws.params.room; // typed params
        seen.push({ origin: ws.data.origin, user, room, protocol: ws.protocol });
        ws.send(`hello ${user} in ${room}`);
      },
    }, { protocols: ['chat.v2', 'chat.v1'] });
    app.get('/plain', () => 'plain');
    server = await startTestServer(app);
  });
  afterAll(() => server.close());

  it('accepts with the right Sec-WebSocket-Accept, typed data and params, the preferred subprotocol', async () => {
    const c = new WebSocketClient(`ws://127.0.0.1:${server.port}/rooms/blue?user=ann`, ['chat.v1', 'chat.v2'], { origin: 'https://ok.example' });
    const first = await new Promise<string>((resolve, reject) => {
      c.once('message', (d) => resolve(String(d)));
      c.once('error', reject);
    });
    expect(first).toBe('hello ann in blue');
    expect(c.protocol).toBe('chat.v2');
    expect(seen.at(-1)).toEqual({ origin: 'https://ok.example', user: 'ann', room: 'blue', protocol: 'chat.v2' });
    c.close();
  });

  it('accepts a client offering none of the subprotocols without one', async () => {
    const c = await connectWebSocket(server.port, '/rooms/x', { headers: { 'sec-websocket-protocol': 'other' } });
    expect(c.status).toBe(101);
    expect(c.headers['sec-websocket-protocol']).toBeUndefined();
    c.destroy();
  });

  it('refuses through upgrade() with its Response (origin check)', async () => {
    const c = await connectWebSocket(server.port, '/rooms/x', { headers: { origin: 'https://evil.example' } });
    expect(c.status).toBe(403);
    await expect.poll(() => c.body.toString()).toContain('origin refused');
    c.destroy();
  });

  it('answers version 8 with 426 and Sec-WebSocket-Version: 13', async () => {
    const c = await connectWebSocket(server.port, '/rooms/x', { headers: { 'sec-websocket-version': '8' } });
    expect(c.status).toBe(426);
    expect(c.headers['sec-websocket-version']).toBe('13');
    c.destroy();
  });

  for (const key of [null, 'short', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ==x', '!!!!!!!!!!!!!!!!!!!!!!==']) {
    it(`answers Sec-WebSocket-Key ${JSON.stringify(key)} with 400`, async () => {
      const c = await connectWebSocket(server.port, '/rooms/x', { headers: { 'sec-websocket-key': key } });
      expect(c.status).toBe(400);
      c.destroy();
    });
  }

  it('answers a plain GET of a WebSocket route with 426 and Upgrade: websocket', async () => {
    const res = await fetch(`${server.url}/rooms/x`);
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
  });

  it('answers Upgrade: h2c with 426, and HTTP goes on on that connection', async () => {
    const r = await rawRequest(server.port, [
      'GET /rooms/x HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n',
      'GET /plain HTTP/1.1\r\nHost: t\r\n\r\n',
    ], { responses: 2 });
    expect(r.responses.map((x) => x.status)).toEqual([426, 200]);
    expect(r.responses[1]!.text()).toBe('plain');
  });

  it('serves a refused upgrade and then the next request on the same connection', async () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const r = await rawRequest(server.port, [
      `GET /rooms/x HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nOrigin: https://evil.example\r\n\r\n`,
      'GET /plain HTTP/1.1\r\nHost: t\r\n\r\n',
    ], { responses: 2 });
    expect(r.responses.map((x) => x.status)).toEqual([403, 200]);
  });

  it('answers an upgrade of a path without a WebSocket route like any request', async () => {
    const c = await connectWebSocket(server.port, '/plain');
    expect(c.status).toBe(200);
    c.destroy();
  });
});

describe.each(TRANSPORTS)('an async upgrade that settles after the client left (%s transport)', (transport) => {
  for (const how of ['reset', 'fin'] as const) it(`${how}: never an open without its close`, async () => {
    const app = new App({ transport, logger: false });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let asked = 0;
    const calls: string[] = [];
    app.ws('/slow', {
      async upgrade() {
        asked++;
        await gate;
        return 'late';
      },
      open: () => void calls.push('open'),
      close: () => void calls.push('close'),
    });
    const server = await startTestServer(app);
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /slow HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    await expect.poll(() => asked).toBe(1);
    const closed = new Promise((r) => socket.once('close', r));
    if (how === 'reset') socket.resetAndDestroy();
    else socket.destroy();
    await closed;
    await new Promise((r) => setTimeout(r, 100)); // the transport hears of the close
    release();
    await gate;
    await new Promise((r) => setImmediate(r));
    // the transport may hold the connection until the pending answer (the native loop does not read
    // while an upgrade is pending): the late 101 may open the socket, then its close follows at once
    await expect.poll(() => calls.length === 0 || calls.join() === 'open,close', { timeout: 5_000 }).toBe(true);
    await server.close();
  });
});
