import net from 'node:net';
import { createHash } from 'node:crypto';
import { renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App, serveStatic } from '../../src/index.js';
import { rawRequest, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';
import { makeFixture, type StaticFixture } from './fixture.js';

let fx: StaticFixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

/** Reads one response with a Content-Length from a socket; `onProgress` sees the body byte count. */
function download(port: number, request: string, opts: { onChunk?: (socket: net.Socket, got: number) => void } = {}): Promise<{ head: string; length: number; got: number; closed: boolean; bodyStart: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let head: string | null = null;
    let pending = Buffer.alloc(0);
    let length = -1;
    let got = 0;
    let bodyStart = Buffer.alloc(0);
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({ head: head ?? pending.toString('latin1'), length, got, closed, bodyStart });
    };
    socket.on('error', reject);
    socket.on('close', () => done(true));
    socket.on('data', (d: Buffer) => {
      if (head === null) {
        pending = Buffer.concat([pending, d]);
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = pending.toString('latin1', 0, end);
        length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? -1);
        d = pending.subarray(end + 4);
      }
      if (bodyStart.length < 64) bodyStart = Buffer.concat([bodyStart, d]).subarray(0, 64);
      got += d.length;
      opts.onChunk?.(socket, got);
      if (got >= length) done(false);
    });
    socket.write(request);
  });
}

describe.each(TRANSPORTS)('static files on real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  async function start(options = {}): Promise<TestServer> {
    const app = new App({ transport, logger: false });
    app.get('/api/:n', (req) => `api ${req.params.n}`);
    app.get('/s/*', serveStatic(fx.root, options));
    server = await startTestServer(app);
    return server;
  }

  it('pipelined requests mixing files (small, large, ranges, HEAD, 304) and handlers come back in order', async () => {
    const s = await start();
    const req = (line: string, extra = '') => `${line} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;
    const etag = (await rawRequest(s.port, req('GET /s/hello.txt', 'Connection: close\r\n'))).responses[0]!.headers.etag!;
    const bytes = req('GET /api/1') + req('GET /s/big.bin') + req('GET /s/hello.txt') + req('GET /api/2')
      + req('GET /s/big.bin', 'Range: bytes=70000-99999\r\n') + req('HEAD /s/big.bin') + req('GET /s/hello.txt', `If-None-Match: ${etag}\r\n`)
      + req('GET /s/big.bin', 'Range: bytes=0-0,-1\r\n') + req('GET /api/3', 'Connection: close\r\n');
    const r = await rawRequest(s.port, bytes, { head: [false, false, false, false, false, true, false, false, false] });
    const res = r.responses;
    expect(res.map((x) => x.status)).toEqual([200, 200, 200, 200, 206, 200, 304, 206, 200]);
    expect(res[0]!.text()).toBe('api 1');
    expect(Buffer.from(res[1]!.body).equals(fx.big)).toBe(true);
    expect(res[2]!.text()).toBe('hello world');
    expect(res[3]!.text()).toBe('api 2');
    expect(Buffer.from(res[4]!.body).equals(fx.big.subarray(70000, 100000))).toBe(true);
    expect(res[4]!.headers['content-range']).toBe('bytes 70000-99999/102400');
    expect(res[5]!.headers['content-length']).toBe('102400');
    expect(res[5]!.body.length).toBe(0);
    expect(res[6]!.body.length).toBe(0);
    expect(res[7]!.headers['content-type']).toMatch(/^multipart\/byteranges; boundary=/);
    expect(res[8]!.text()).toBe('api 3');
  });

  it('a file shortened while it is being sent: fewer bytes than announced, then the connection closes', async () => {
    const s = await start();
    const path = join(fx.root, 'shrink.bin');
    writeFileSync(path, Buffer.alloc(32 * 1024 * 1024, 7));
    let truncated = false;
    const r = await download(s.port, 'GET /s/shrink.bin HTTP/1.1\r\nHost: t\r\n\r\n', {
      onChunk: (socket, got) => {
        if (!truncated && got > 0) {
          truncated = true;
          truncateSync(path, 1024 * 1024);
        }
      },
    });
    expect(r.length).toBe(32 * 1024 * 1024);
    expect(r.closed).toBe(true);
    expect(r.got).toBeLessThan(r.length);
  });

  it('a large file to a reader that stops and starts: every byte right (reused read buffers)', async () => {
    const s = await start();
    const size = 12 * 1024 * 1024 + 12345;
    const bytes = Buffer.alloc(size + 4);
    for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(join(fx.root, 'pattern.bin'), bytes.subarray(0, size));
    const expected = createHash('sha256').update(bytes.subarray(0, size)).digest('hex');
    const hash = createHash('sha256');
    let paused = 0;
    const r = await new Promise<{ got: number }>((resolve, reject) => {
      const socket = net.connect({ port: s.port, host: '127.0.0.1' });
      let head: Buffer | null = Buffer.alloc(0);
      let got = 0;
      let since = 0;
      socket.on('error', reject);
      socket.on('data', (d: Buffer) => {
        if (head !== null) {
          head = Buffer.concat([head, d]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          d = head.subarray(end + 4);
          head = null;
        }
        hash.update(d);
        got += d.length;
        since += d.length;
        if (got >= size) {
          socket.destroy();
          resolve({ got });
        } else if (since >= 1024 * 1024) {
          since = 0;
          paused++;
          socket.pause();
          setImmediate(() => socket.resume()); // stop reading for a turn: the server must wait
        }
      });
      socket.write('GET /s/pattern.bin HTTP/1.1\r\nHost: t\r\n\r\n');
    });
    expect(r.got).toBe(size);
    expect(paused).toBeGreaterThan(5);
    expect(hash.digest('hex')).toBe(expected);
  });

  it('a file replaced (renamed over) while it is being sent: the original bytes, in full', async () => {
    const s = await start();
    const path = join(fx.root, 'replace.bin');
    writeFileSync(path, Buffer.alloc(8 * 1024 * 1024, 1));
    let replaced = false;
    const r = await download(s.port, 'GET /s/replace.bin HTTP/1.1\r\nHost: t\r\n\r\n', {
      onChunk: () => {
        if (!replaced) {
          replaced = true;
          writeFileSync(`${path}.new`, Buffer.alloc(100, 2));
          renameSync(`${path}.new`, path);
        }
      },
    });
    expect(r.got).toBe(8 * 1024 * 1024);
    expect(r.closed).toBe(false);
    expect(r.bodyStart[0]).toBe(1);
  });
});
