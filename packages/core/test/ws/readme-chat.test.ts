// The "WebSockets" chat example of the README, as written (port 0 instead of 8080), then used by
// three `ws` clients in two rooms on both transports.
import { describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { App, Response } from '../../src/index.js';
import { TRANSPORTS } from '../support/transports.js';

describe.each(TRANSPORTS)('README: the WebSocket chat (%s transport)', (transport) => {
  it('runs as written', async () => {
    // ---- the README code ----
    const app = new App({ transport, logger: false })

    app.ws('/chat/:room', {
      // the handshake is already checked (Sec-WebSocket-Key, version 13); refuse with any Response
      upgrade(req) {
        const name = req.query.get('name')
        if (!name) return new Response('a name is required', { status: 400 })
        return { name }                       // becomes ws.data (typed)
      },
      open(ws) {
        ws.subscribe(ws.params.room)          // ws.params.room: string, from the path
        app.publish(ws.params.room, `${ws.data.name} joined`)
      },
      message(ws, data, isBinary) {
        if (isBinary) return ws.close(1003, 'text only')
        ws.publish(ws.params.room, `${ws.data.name}: ${data}`)   // everyone in the room but the sender
        ws.send(`you: ${data}`)
      },
      close(ws, code) {
        app.publish(ws.params.room, `${ws.data.name} left (${code})`)
      },
    }, { idleTimeout: 60, maxPayloadLength: 64 * 1024 })

    const server = await app.listen({ port: 0, handleSignals: false })
    // ---- end of the README code ----

    const inbox = new Map<string, string[]>();
    const join = async (name: string, room: string): Promise<WebSocketClient> => {
      const c = new WebSocketClient(`ws://127.0.0.1:${server.port}/chat/${room}?name=${name}`);
      inbox.set(name, []);
      c.on('message', (d) => inbox.get(name)!.push(String(d)));
      await new Promise((resolve, reject) => {
        c.once('open', resolve);
        c.once('error', reject);
      });
      return c;
    };
    const ann = await join('ann', 'tea');
    await expect.poll(() => inbox.get('ann')).toEqual(['ann joined']);
    const bob = await join('bob', 'tea');
    await expect.poll(() => inbox.get('bob')).toEqual(['bob joined']);
    const cy = await join('cy', 'coffee');
    ann.send('hello');
    await expect.poll(() => inbox.get('bob')).toEqual(['bob joined', 'ann: hello']);
    await expect.poll(() => inbox.get('ann')).toEqual(['ann joined', 'bob joined', 'you: hello']);
    expect(inbox.get('cy')).toEqual(['cy joined']);
    const closed = new Promise<number>((resolve) => bob.once('close', (code) => resolve(code)));
    bob.send(Buffer.from([1]));
    expect(await closed).toBe(1003);
    await expect.poll(() => inbox.get('ann')!.at(-1)).toBe('bob left (1003)');
    const refused = await fetch(`http://127.0.0.1:${server.port}/chat/tea`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    }).catch(() => null);
    // fetch may not send an upgrade; either way no socket opens without a name
    if (refused !== null) expect([400, 426]).toContain(refused.status);
    ann.close();
    cy.close();
    await server.close();
  });
});
