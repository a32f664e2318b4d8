import { afterEach, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { App } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

describe.each(TRANSPORTS)('ws smoke (%s)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  it('echoes', async () => {
    const app = new App({ transport, logger: false });
    const closes: number[] = [];
    app.ws('/echo/:room', {
      upgrade: (req) => ({ room: req.params.room }),
      message: (ws, data, isBinary) => { ws.send(data, isBinary); },
      close: (_ws, code) => { closes.push(code); },
    });
    server = await startTestServer(app);
    const c = new WebSocketClient(`ws://127.0.0.1:${server.port}/echo/a`);
    await new Promise((r, j) => { c.once('open', r); c.once('error', j); });
    const got = new Promise<string>((r) => c.once('message', (d) => r(String(d))));
    c.send('hello');
    expect(await got).toBe('hello');
    const closed = new Promise<number>((r) => c.once('close', (code) => r(code)));
    c.close(1000, 'bye');
    expect(await closed).toBe(1000);
    await expect.poll(() => closes).toEqual([1000]);
  });
});
