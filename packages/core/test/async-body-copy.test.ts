// An async handler keeps its request body after the batch: the copy must not be a view into batch
// memory (a Buffer's slice() is one), which the next batch overwrites.
import { describe, expect, it } from 'vitest';
import { App } from '../src/index.js';
import { TRANSPORTS } from './support/transports.js';

describe.each(TRANSPORTS)('an async handler reads its body after later batches (%s transport)', (transport) => {
  it('bytes(), text() and body see the bytes that were sent', async () => {
    const app = new App({ logger: false, transport });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const here = new Promise<void>((r) => (arrived = r));
    app.post('/slow', async (req) => {
      arrived();
      await gate;
      const [bytes, text] = [await req.bytes(), await req.text()];
      return `${Buffer.from(bytes).toString()}|${text}`;
    });
    app.post('/fast', () => 'ok');
    const h = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    try {
      const slow = fetch(`http://127.0.0.1:${h.port}/slow`, { method: 'POST', body: 'A'.repeat(10) });
      await here;
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`http://127.0.0.1:${h.port}/fast`, { method: 'POST', body: 'B'.repeat(300) });
        expect(await r.text()).toBe('ok');
      }
      release();
      expect(await (await slow).text()).toBe(`${'A'.repeat(10)}|${'A'.repeat(10)}`);
    } finally {
      await h.close();
    }
  });
});
