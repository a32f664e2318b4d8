import { describe, expect, it } from 'vitest';
import { App, sse } from '../../src/index.js';
import { inject, injectAll } from '../support/testing.js';

describe('inject with streamed responses', () => {
  it('collects a streamed (chunked) body, pipelined responses after it in order, and SSE', async () => {
    const app = new App({ logger: false });
    app.get('/gen', async function* () {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setImmediate(r));
        yield `part${i};`;
      }
    });
    app.get('/t', () => 'plain');
    app.get('/sse', () => sse((async function* () {
      yield { event: 'a', data: 'x' };
    })(), { heartbeat: 0 }));
    const res = await inject(app, '/gen');
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text()).toBe('part0;part1;part2;part3;part4;');
    const all = await injectAll(app, 'GET /gen HTTP/1.1\r\nHost: t\r\n\r\nGET /t HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(all.map((r) => r.text())).toEqual(['part0;part1;part2;part3;part4;', 'plain']);
    const events = await inject(app, '/sse');
    expect(events.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(events.text()).toBe('event: a\ndata: x\n\n');
  });

  it('a large streamed body through inject (backpressure without a socket)', async () => {
    const app = new App({ logger: false });
    const chunk = Buffer.alloc(256 * 1024, 98);
    app.get('/big', async function* () {
      for (let i = 0; i < 40; i++) {
        await new Promise((r) => setImmediate(r));
        yield chunk;
      }
    });
    const res = await inject(app, '/big');
    expect(res.body.length).toBe(40 * chunk.length);
  });
});
