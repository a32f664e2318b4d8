import net from 'node:net';
import { closeSync, openSync, readdirSync, readlinkSync, ftruncateSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App, serveStatic } from '../../src/index.js';
import { FileStream } from '../../src/static/file-stream.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';
import { makeFixture, type StaticFixture } from './fixture.js';

let fx: StaticFixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

/** Open descriptors of this process that name `path`. */
function fdsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

interface Got { status: number; length: number; got: number }

/**
 * GET `path` and count the body bytes, read into one reused buffer (`onread`: the client allocates
 * nothing per chunk, so the process's RSS shows the server's memory); `slow` is called (the socket
 * paused) every 16 MiB and resumes it.
 */
function fetchCount(port: number, path: string, slow?: (resume: () => void) => void, retries = 5): Promise<Got> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let status = 0;
    let length = -1;
    let got = 0;
    let sincePause = 0;
    const socket: net.Socket = net.connect({
      port,
      host: '127.0.0.1',
      onread: {
        buffer: Buffer.allocUnsafe(64 * 1024),
        callback: (n: number, buf: Uint8Array): boolean => {
          let body = n;
          if (status === 0) {
            head = Buffer.concat([head, buf.subarray(0, n)]);
            const end = head.indexOf('\r\n\r\n');
            if (end < 0) return true;
            const text = head.toString('latin1', 0, end);
            status = Number(text.slice(9, 12));
            length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
            body = head.length - (end + 4);
          }
          got += body;
          sincePause += body;
          if (got >= length) {
            socket.destroy();
            return false;
          }
          if (slow !== undefined && sincePause >= 16 * 1024 * 1024) {
            sincePause = 0;
            slow(() => socket.resume());
            return false;
          }
          return true;
        },
      },
    });
    let failed: Error | undefined;
    socket.on('error', (err) => (failed = err));
    socket.on('close', () => {
      // 1,000 connects at once overflow the listen backlog (511): a connection the kernel reset
      // before the server accepted it got no byte and is retried (its GET was never answered)
      const code = (failed as NodeJS.ErrnoException | undefined)?.code;
      if (failed !== undefined && status === 0 && (code === 'ECONNRESET' || code === 'ECONNREFUSED') && retries > 0) {
        fetchCount(port, path, slow, retries - 1).then(resolve, reject);
      } else if (failed !== undefined && status === 0) reject(failed);
      else resolve({ status, length, got });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  });
}

describe.each(TRANSPORTS)('static files under load (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a large file: the native transport sends it without a JS read per chunk, the JS transport streams it', async () => {
    const app = new App({ transport, logger: false });
    app.get('/s/*', serveStatic(fx.root));
    server = await startTestServer(app);
    writeFileSync(join(fx.root, 'mib.bin'), Buffer.alloc(4 * 1024 * 1024, 5));
    const next = FileStream.prototype.next;
    let reads = 0;
    FileStream.prototype.next = function (this: FileStream) {
      reads++;
      return next.call(this);
    };
    try {
      const r = await fetchCount(server.port, '/s/mib.bin');
      expect(r.status).toBe(200);
      expect(r.got).toBe(4 * 1024 * 1024);
    } finally {
      FileStream.prototype.next = next;
    }
    if (transport === 'native') expect(reads).toBe(0);
    else expect(reads).toBeGreaterThanOrEqual(32);
  });

  it('1 GiB (sparse) to a slow reader: RSS grows by at most 32 MiB', async () => {
    const app = new App({ transport, logger: false });
    app.get('/s/*', serveStatic(fx.root));
    server = await startTestServer(app);
    const path = join(fx.root, 'gib.bin');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 1024 * 1024 * 1024);
    closeSync(fd);
    try {
      global.gc?.();
      const base = process.memoryUsage.rss();
      let peak = base;
      const r = await fetchCount(server.port, '/s/gib.bin', (resume) => {
        peak = Math.max(peak, process.memoryUsage.rss());
        setTimeout(resume, 5); // a slow reader: the server must wait, not buffer
      });
      peak = Math.max(peak, process.memoryUsage.rss());
      expect(r.status).toBe(200);
      expect(r.got).toBe(1024 * 1024 * 1024);
      expect(peak - base, `RSS grew by ${((peak - base) / 1048576).toFixed(1)} MiB`).toBeLessThanOrEqual(32 * 1024 * 1024);
    } finally {
      rmSync(path);
    }
  }, 120_000);

  it('1,000 concurrent downloads: at most maxOpenFiles files held (others 503 + Retry-After), every 200 complete', async () => {
    const app = new App({ transport, logger: false });
    const max = 40;
    app.get('/s/*', serveStatic(fx.root, { maxOpenFiles: max }));
    server = await startTestServer(app);
    const path = join(fx.root, 'quarter.bin');
    writeFileSync(path, Buffer.alloc(256 * 1024, 3));
    let peakFds = 0;
    const sampler = setInterval(() => {
      peakFds = Math.max(peakFds, fdsOn(path));
    }, 20);
    try {
      const results = await Promise.all(Array.from({ length: 1000 }, () => fetchCount(server!.port, '/s/quarter.bin')));
      const ok = results.filter((r) => r.status === 200);
      const busy = results.filter((r) => r.status === 503);
      expect(ok.length + busy.length).toBe(1000);
      expect(ok.length).toBeGreaterThanOrEqual(max);
      for (const r of ok) expect(r.got).toBe(256 * 1024);
      // the transport's own copy of a descriptor overlaps ours for one event-loop turn
      expect(peakFds).toBeLessThanOrEqual(2 * max);
    } finally {
      clearInterval(sampler);
    }
    expect(fdsOn(path)).toBe(0);
  }, 120_000);
});
