import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { App, Response, injectRaw, type Request } from '../src/index.js';
import { prng } from './support/prng.js';
import { Raw, bytes, finals, sha } from './support/raw-socket.js';
import { startTestServer, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

const MiB = 1024 * 1024;
/** The large upload with client and server in one process: 256 MiB here, 1 GiB with JATO_STREAM_GIB=1. */
const BIG = process.env['JATO_STREAM_GIB'] === '1' ? 1024 * MiB : 256 * MiB;
/** The upload (server in its own process): 1 GiB, ~10 s per transport on a busy 2-core machine. */
const GIB = 1024 * MiB;

async function hashBody(req: Request): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  for await (const chunk of req.stream()) {
    h.update(chunk);
    n += chunk.length;
  }
  return `${n} ${h.digest('hex')}`;
}


/** POSTs `size` bytes (seeded 1 MiB pieces, each stamped with its offset) chunked; resolves to the answer and the client's hash. */
function upload(port: number, size: number): Promise<{ answer: string; hash: string }> {
  const piece = bytes(MiB, 1);
  const clientHash = createHash('sha256');
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/upload' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ answer: text, hash: clientHash.digest('hex') }));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const p = Buffer.from(piece);
        p.writeDoubleLE(sent, 0); // a lost or repeated piece changes the hash
        clientHash.update(p);
        sent += p.length;
        if (!req.write(p)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe.each(TRANSPORTS)('streamed upload memory, server in its own process (%s transport)', (transport) => {
  it.runIf(process.platform === 'linux')('a 1 GiB chunked upload hashed by the handler (SHA-256 equal to the client\'s): server peak RSS grows by at most 32 MiB', async () => {
    // --expose-gc: the fixture collects dead chunks every 8 MiB, so the peak is what the server
    // retains, not how far V8 lets garbage pile up on a busy machine (see the fixture)
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=@jato/source', 'test/fixtures/upload-server.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, JATO_TRANSPORT: transport },
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const { port, transport: served } = JSON.parse(line.toString()) as { port: number; transport: string };
      expect(served).toBe(transport);
      const memory = async (reset = ''): Promise<{ rss: number; peak: number }> =>
        (await (await fetch(`http://127.0.0.1:${port}/memory${reset}`)).json()) as { rss: number; peak: number };
      // warm up (JIT, and the heap V8 lets grow with garbage chunks until its external-memory GC
      // trigger) with 128 MiB, then measure the peak over the big upload from a reset peak
      const warm = await upload(port, 128 * MiB);
      expect(warm.answer).toBe(`${128 * MiB} ${warm.hash}`);
      const before = await memory('?reset');
      const big = await upload(port, GIB);
      const after = await memory();
      expect(big.answer).toBe(`${GIB} ${big.hash}`);
      const growth = after.peak - Math.max(before.rss, 0);
      if (process.env['JATO_STREAM_REPORT'] === '1') {
        console.log(`server: RSS before ${(before.rss / MiB).toFixed(1)} MiB, peak after ${(after.peak / MiB).toFixed(1)} MiB, growth ${(growth / MiB).toFixed(1)} MiB`);
      }
      expect(growth).toBeLessThanOrEqual(32 * MiB);
    } finally {
      child.kill('SIGTERM');
    }
  }, 600_000);
});

describe.each(TRANSPORTS)('streamed request bodies over real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
    server = undefined;
  });
  async function raw(): Promise<Raw> {
    const r = await Raw.connect(server!.port);
    sockets.push(r.socket);
    return r;
  }

  it(`a ${BIG / MiB} MiB chunked upload is hashed by the handler (SHA-256 equal to the client's) with bounded RSS growth`, async () => {
    const app = new App({ transport, logger: false });
    app.post('/upload', hashBody, { bodyLimit: Infinity });
    server = await startTestServer(app);
    expect(server.transport).toBe(transport);
    const piece = bytes(MiB, 1);
    const clientHash = createHash('sha256');
    const rssBefore = process.memoryUsage.rss();
    let rssMax = rssBefore;
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request({ port: server!.port, host: '127.0.0.1', method: 'POST', path: '/upload' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = (): void => {
        while (sent < BIG) {
          // each MiB differs (its first 8 bytes carry the offset) so a lost or repeated piece changes the hash
          const p = Buffer.from(piece);
          p.writeDoubleLE(sent, 0);
          clientHash.update(p);
          sent += p.length;
          if ((sent & (32 * MiB - 1)) === 0) rssMax = Math.max(rssMax, process.memoryUsage.rss());
          if (!req.write(p)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
    if (process.env['JATO_STREAM_REPORT'] === '1') console.log(`upload ${BIG / MiB} MiB: RSS growth ${((rssMax - rssBefore) / MiB).toFixed(1)} MiB`);
    expect(answer).toBe(`${BIG} ${clientHash.digest('hex')}`);
    // client and server share this process: the growth covers both sides' buffers
    expect(rssMax - rssBefore).toBeLessThan(64 * MiB);
  }, 600_000);

  it('uploads split at seeded boundaries (Content-Length and chunked) arrive intact, then a pipelined request', async () => {
    const app = new App({ transport, logger: false });
    app.post('/upload', hashBody, { bodyLimit: 16 * MiB });
    app.get('/next', () => 'next');
    server = await startTestServer(app);
    const rnd = prng(42);
    for (let round = 0; round < 6; round++) {
      const body = bytes(MiB + Math.floor(rnd() * 3 * MiB), 100 + round);
      let wire: Buffer;
      if (round % 2 === 0) {
        wire = Buffer.concat([Buffer.from(`POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
      } else {
        const parts: Buffer[] = [Buffer.from('POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n')];
        for (let at = 0; at < body.length;) {
          const n = Math.min(body.length - at, 1 + Math.floor(rnd() * 300_000));
          parts.push(Buffer.from(`${n.toString(16)}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n'));
          at += n;
        }
        parts.push(Buffer.from('0\r\n\r\n'));
        wire = Buffer.concat(parts);
      }
      wire = Buffer.concat([wire, Buffer.from('GET /next HTTP/1.1\r\nHost: t\r\n\r\n')]);
      const c = await raw();
      for (let at = 0; at < wire.length;) {
        const n = 1 + Math.floor(rnd() * 200_000);
        await c.write(wire.subarray(at, at + n));
        at += n;
      }
      await c.until('two responses', () => c.text().endsWith('next'));
      expect(c.text()).toContain(`${body.length} ${sha(body)}`);
      expect(finals(c.text())).toEqual(['200', '200']);
    }
  }, 120_000);

  it('disconnects at seeded points: the body stream errors, req.signal fires, nothing is left over many cycles', async () => {
    const app = new App({ transport, logger: false });
    const outcomes: Array<{ error: string; aborted: boolean }> = [];
    let notify: () => void = () => {};
    app.post('/upload', async (req) => {
      const signal = req.signal;
      try {
        await hashBody(req);
        outcomes.push({ error: 'none', aborted: signal.aborted });
      } catch (err) {
        // the signal fires when the transport reports the close; the stream error may come first
        if (!signal.aborted) await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        outcomes.push({ error: (err as Error).name, aborted: signal.aborted });
      } finally {
        notify();
      }
      return 'unreachable';
    }, { bodyLimit: Infinity });
    server = await startTestServer(app);
    const rnd = prng(7);
    const body = bytes(2 * MiB, 9);
    const cycles = 1000;
    const rssBefore = process.memoryUsage.rss();
    for (let i = 0; i < cycles; i++) {
      const done = new Promise<void>((r) => (notify = r));
      const c = await raw();
      const cut = 1 + Math.floor(rnd() * (body.length - 2));
      await c.write(`POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
      await c.write(body.subarray(0, cut));
      if (i % 2 === 0) c.socket.destroy();
      else c.socket.end(); // FIN in the middle of the body: the message cannot complete either
      await done;
    }
    expect(outcomes.length).toBe(cycles);
    expect(outcomes.filter((o) => o.error !== 'AbortError')).toEqual([]);
    expect(outcomes.every((o) => o.aborted)).toBe(true);
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(64 * MiB);
  }, 120_000);

  it('a handler that answers without reading: the body is discarded and the next pipelined request is framed', async () => {
    const app = new App({ transport, logger: false });
    app.post('/ignore', () => 'ignored', { bodyLimit: Infinity });
    app.get('/after', () => 'after');
    server = await startTestServer(app);
    const body = bytes(800_000, 3);
    const c = await raw();
    // 1,000,000 bytes: under the default maxDiscardBytes (1 MiB), so the rest is read and dropped
    await c.write(`POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: ${1_000_000}\r\n\r\n`);
    await c.write(body);
    await c.write(body.subarray(0, 200_000));
    await c.write('GET /after HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.until('both responses', () => c.text().endsWith('after'));
    expect(finals(c.text())).toEqual(['200', '200']);
    expect(c.ended).toBe(false);
  });

  it('a handler that answers without reading a body far over the discard bound: the connection closes after the response', async () => {
    const app = new App({ transport, logger: false, limits: { maxDiscardBytes: 64 * 1024 } });
    app.post('/ignore', () => 'ignored', { bodyLimit: Infinity });
    server = await startTestServer(app);
    const c = await raw();
    await c.write(`POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: ${64 * MiB}\r\n\r\n`);
    await c.until('the close', () => c.ended);
    expect(finals(c.text())).toEqual(['200']);
  });

  it('Expect: 100-continue on a streaming route: 100 goes out when the handler starts reading', async () => {
    const app = new App({ transport, logger: false });
    let reading = false;
    app.post('/upload', async (req) => {
      await new Promise((r) => setImmediate(r));
      reading = true;
      return hashBody(req);
    }, { bodyLimit: Infinity });
    app.post('/deny', () => new Response('no', { status: 403 }), { bodyLimit: Infinity });
    server = await startTestServer(app);
    const body = bytes(3 * MiB, 5);
    const c = await raw();
    await c.write(`POST /upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
    await c.until('100 Continue', () => c.text().startsWith('HTTP/1.1 100 Continue\r\n\r\n'));
    expect(reading).toBe(true);
    await c.write(body);
    await c.until('the hash', () => c.text().includes(sha(body)));
    // a handler that answers without reading: no 100, the final status, then the connection closes
    const d = await raw();
    await d.write(`POST /deny HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
    await d.until('the close', () => d.ended);
    expect(d.text()).not.toContain('100 Continue');
    expect(finals(d.text())).toEqual(['403']);
  });

  it('limits: a route without bodyLimit answers 413 to a declared body over maxBodyBytes; bytes() stops at maxBodyBytes; a chunked body over the route limit errors its stream with 413', async () => {
    const app = new App({ transport, logger: false, limits: { maxBodyBytes: 64 * 1024 } });
    app.post('/small', (req) => req.bytes().then((b) => `${b.length}`));
    app.post('/buffered', (req) => req.bytes().then((b) => `${b.length}`), { bodyLimit: 10 * MiB });
    app.post('/limited', hashBody, { bodyLimit: 200_000 });
    app.post('/json', async (req) => ((await req.json()) as { big: string }).big.length, { bodyLimit: 10 * MiB });
    server = await startTestServer(app);
    const body = bytes(300_000, 6);
    const a = await raw();
    await a.write(`POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
    await a.until('a response', () => finals(a.text()).length > 0);
    expect(finals(a.text())).toEqual(['413']);
    const b = await raw();
    await b.write(`POST /buffered HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
    await b.write(body);
    await b.until('a response', () => finals(b.text()).length > 0);
    expect(finals(b.text())).toEqual(['413']);
    const c = await raw();
    await c.write('POST /limited HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let at = 0; at < body.length; at += 50_000) {
      await c.write(Buffer.concat([Buffer.from(`${(50_000).toString(16)}\r\n`), body.subarray(at, at + 50_000), Buffer.from('\r\n')]));
    }
    await c.until('a response', () => finals(c.text()).length > 0);
    expect(finals(c.text())).toEqual(['413']);
    // a chunked body not complete with its head is streamed: json() reads it (under maxBodyBytes)
    const d = await raw();
    const json = Buffer.from(JSON.stringify({ big: 'x'.repeat(50_000) }));
    await d.write(`POST /json HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${json.length.toString(16)}\r\n`);
    await d.write(Buffer.concat([json, Buffer.from('\r\n0\r\n\r\n')]));
    await d.until('a response', () => d.text().endsWith('50000'));
    expect(finals(d.text())).toEqual(['200']);
  });

  it('multipart streaming: parts come as streams (a 3 MiB file hashed on the fly) with the form limits', async () => {
    const app = new App({ transport, logger: false, limits: { form: { maxFileBytes: 4 * MiB } } });
    app.post('/form', async (req) => {
      const seen: Array<{ name: string; filename: string | undefined; size: number; hash: string }> = [];
      for await (const part of req.multipart()) {
        const h = createHash('sha256');
        let size = 0;
        for await (const chunk of part.stream()) {
          h.update(chunk);
          size += chunk.length;
        }
        seen.push({ name: part.name, filename: part.filename, size, hash: h.digest('hex') });
      }
      return seen;
    }, { bodyLimit: 64 * MiB });
    server = await startTestServer(app);
    const file = bytes(3 * MiB, 8);
    const big = bytes(5 * MiB, 10);
    const form = (f: Buffer): Buffer => Buffer.concat([
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n'),
      Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="doc"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'),
      f,
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const send = async (f: Buffer): Promise<Raw> => {
      const body = form(f);
      const c = await raw();
      await c.write(`POST /form HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: ${body.length}\r\n\r\n`);
      const rnd = prng(f.length);
      for (let at = 0; at < body.length;) {
        const n = 1 + Math.floor(rnd() * 100_000);
        await c.write(body.subarray(at, at + n));
        at += n;
      }
      await c.until('a response', () => finals(c.text()).length > 0 && /\r\n\r\n[\s\S]+$/.test(c.text()));
      return c;
    };
    const ok = await send(file);
    await ok.until('the JSON', () => ok.text().endsWith(']'));
    const json = JSON.parse(ok.text().slice(ok.text().indexOf('\r\n\r\n') + 4)) as unknown;
    expect(json).toEqual([
      { name: 'title', size: 5, hash: sha(Buffer.from('hello')) },
      { name: 'doc', filename: 'a.bin', size: file.length, hash: sha(file) },
    ]);
    const tooBig = await send(big);
    expect(finals(tooBig.text())).toEqual(['413']);
  }, 60_000);

});

describe('streamed request bodies through inject', () => {
  it('inject streams too (a body over maxBodyBytes through injectRaw)', async () => {
    const app = new App({ logger: false, limits: { maxBodyBytes: 1000 } });
    app.post('/up', hashBody, { bodyLimit: Infinity });
    const body = bytes(200_000, 12);
    const out = Buffer.from(await injectRaw(app, Buffer.concat([
      Buffer.from(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body,
    ]))).toString('latin1');
    expect(out).toContain(`${body.length} ${sha(body)}`);
  });
});
