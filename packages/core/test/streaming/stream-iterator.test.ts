import { describe, expect, it } from 'vitest';
import { App, injectRaw, type Request } from '../../src/index.js';
import { prng } from '../support/prng.js';
import { bytes, sha } from '../support/raw-socket.js';

// req.stream() of a streamed body is an iterator written by hand (request/body-chunk-iterator.ts),
// not an async generator: it must behave like the generator it replaced. Bodies over maxBodyBytes
// through injectRaw (streamed, chunks of seeded sizes as the raw bytes are fed).

const request = (path: string, body: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]);

async function answer(app: App, raw: Buffer): Promise<string> {
  const text = Buffer.from(await injectRaw(app, raw)).toString('latin1');
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}

function app(): App {
  return new App({ logger: false, limits: { maxBodyBytes: 1000 } });
}

describe('req.stream() of a streamed body', () => {
  it('chunks kept across later reads keep their bytes (seeded sizes): joined they hash as the body', async () => {
    const rnd = prng(31);
    for (let round = 0; round < 8; round++) {
      const a = app();
      a.post('/keep', async (req: Request) => {
        const kept: Uint8Array[] = [];
        for await (const chunk of req.stream()) kept.push(chunk);
        return sha(Buffer.concat(kept));
      }, { bodyLimit: Infinity });
      const body = bytes(2000 + Math.floor(rnd() * 600_000), 40 + round);
      expect(await answer(a, request('/keep', body))).toBe(sha(body));
    }
  });

  it('is lazy: req.stream() called and dropped does not claim the body (req.body still reads it)', async () => {
    const a = app();
    a.post('/lazy', async (req: Request) => {
      req.stream(); // never iterated
      const reader = req.body.getReader();
      let n = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.length;
      return String(n);
    }, { bodyLimit: Infinity });
    const body = bytes(50_000, 5);
    expect(await answer(a, request('/lazy', body))).toBe(String(body.length));
  });

  it('a second iteration of the same body fails; the first one reads it whole', async () => {
    const a = app();
    a.post('/twice', async (req: Request) => {
      const first = req.stream();
      const second = req.stream();
      const head = await first.next();
      const other = await second.next().then(() => 'read', (e: unknown) => (e instanceof TypeError ? 'TypeError' : String(e)));
      let n = head.done ? 0 : head.value.length;
      for await (const chunk of first) n += chunk.length;
      return `${n} ${other}`;
    }, { bodyLimit: Infinity });
    const body = bytes(300_000, 6);
    expect(await answer(a, request('/twice', body))).toBe(`${body.length} TypeError`);
  });

  it('break ends the iteration (later next() is done); the end is done again and again; a body over bodyLimit rejects once, then done', async () => {
    const a = app();
    a.post('/break', async (req: Request) => {
      const it = req.stream();
      for await (const _ of it) break;
      const after = await it.next();
      return String(after.done);
    }, { bodyLimit: Infinity });
    a.post('/end', async (req: Request) => {
      const it = req.stream();
      let n = 0;
      for (let r = await it.next(); !r.done; r = await it.next()) n += r.value.length;
      const again = [await it.next(), await it.next()].map((r) => r.done);
      return `${n} ${again.join(',')}`;
    }, { bodyLimit: Infinity });
    a.post('/limit', async (req: Request) => {
      const it = req.stream();
      let error = '';
      try {
        for await (const _ of it) {
          /* read to the limit */
        }
      } catch (e) {
        error = (e as { status?: number }).status === 413 ? '413' : String(e);
      }
      const later = await it.next();
      return `${error} ${later.done}`;
    }, { bodyLimit: 100_000 });
    const body = bytes(300_000, 7);
    expect(await answer(a, request('/break', body))).toBe('true');
    expect(await answer(a, request('/end', body))).toBe(`${body.length} true,true`);
    const limited = Buffer.concat([
      Buffer.from('POST /limit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'),
      Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n'),
    ]);
    expect(await answer(a, limited)).toBe('413 true');
  });
});
