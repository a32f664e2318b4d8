// The file-body contract (src/file-output.ts) of the native transport, at the transport level:
// pipelined order around file bodies (one completing before its turn waits), exact bytes with an
// offset, a zero-length body, the done notices, a descriptor that is not a file, a file that became
// shorter (the connection closes after fewer bytes, never more), and the client leaving.
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNativeServer } from '../src/native/server.js';
import type { Responder, ServerHandlers } from '../src/types.js';
import { harness, ok } from './helpers/transports.js';

let dir: string;
let data: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jato-file-output-'));
  data = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  writeFileSync(join(dir, 'data.bin'), data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Req { conn: number; seq: number; target: string }
function collect(onRequest: (req: Req, out: Responder) => void): ServerHandlers {
  return {
    onBatch(batch, out) {
      for (let i = 0; i < batch.count; i++) onRequest({ conn: batch.conn(i), seq: batch.seq(i), target: batch.target(i) }, out);
    },
  };
}

/** Sends `length` bytes of data.bin from `offset`; resolves with onDone's flag (the fd closed then). */
function sendPart(out: Responder, req: Req, offset: number, length: number, path = join(dir, 'data.bin')): Promise<boolean> {
  const fd = openSync(path, 'r');
  return new Promise((resolve) => {
    out.sendFile!(req.conn, req.seq, ok(length), fd, offset, length, false, {
      onDone(done) {
        closeSync(fd);
        resolve(done);
      },
    });
  });
}

describe('file bodies sent by the native loop', () => {
  const h = harness(createNativeServer);
  afterEach(() => h.cleanup());

  it('keeps pipelined order: a file waits for an earlier late answer, later answers wait for the file', async () => {
    const done: Array<Promise<boolean>> = [];
    let late: (() => void) | undefined;
    const { port } = await h.start(collect((req, out) => {
      if (req.target === '/late') late = () => out.respond(req.conn, req.seq, ok(4), 'late', false);
      else if (req.target === '/file') done.push(sendPart(out, req, 1000, 2 * 1024 * 1024));
      else if (req.target === '/empty') done.push(sendPart(out, req, 5, 0));
      else out.respond(req.conn, req.seq, ok(1), 'x', false);
      if (req.target === '/last') late?.();
    }));
    const c = await h.connect(port);
    const get = (t: string) => `GET ${t} HTTP/1.1\r\nHost: t\r\n\r\n`;
    await c.write(get('/late') + get('/file') + get('/x') + get('/empty') + get('/last'));
    const res = await c.responses(5);
    expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(Buffer.from(res[0]!.body).toString()).toBe('late');
    expect(Buffer.from(res[1]!.body).equals(data.subarray(1000, 1000 + 2 * 1024 * 1024))).toBe(true);
    expect(Buffer.from(res[2]!.body).toString()).toBe('x');
    expect(res[3]!.body.length).toBe(0);
    expect(await Promise.all(done)).toEqual([true, true]);
  });

  it('a descriptor that is not a readable file: the connection closes, onDone(false), nothing more sent', async () => {
    let result: Promise<boolean> | undefined;
    const { port } = await h.start(collect((req, out) => {
      const fd = openSync(dir, 'r'); // a directory
      result = new Promise((resolve) => {
        out.sendFile!(req.conn, req.seq, ok(10), fd, 0, 10, false, { onDone: (d) => { closeSync(fd); resolve(d); } });
      });
    }));
    const c = await h.connect(port);
    await c.write('GET /dir HTTP/1.1\r\nHost: t\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitFor('close', () => (c.ended ? true : undefined));
    expect(await result).toBe(false);
    const text = c.received.toString('latin1');
    expect(text.split('HTTP/1.1').length - 1).toBeLessThanOrEqual(1);
    expect(text.length).toBeLessThan(ok(10).length + 10);
  });

  it('a file shorter than announced: fewer bytes, then the connection closes (never more)', async () => {
    const path = join(dir, 'short.bin');
    writeFileSync(path, Buffer.alloc(1000, 9));
    let result: Promise<boolean> | undefined;
    const { port } = await h.start(collect((req, out) => {
      result = sendPart(out, req, 0, 5000, path);
    }));
    const c = await h.connect(port);
    await c.write('GET /short HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitFor('close', () => (c.ended ? true : undefined));
    expect(await result).toBe(false);
    const raw = c.received;
    const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
    expect(body.length).toBe(1000);
    truncateSync(path, 0);
  });

  it('the client leaving mid-file: onDone(false), the server keeps serving', async () => {
    // 256 MiB (sparse): far more than the socket buffers hold while the client stops reading
    const path = join(dir, 'huge.bin');
    const hfd = openSync(path, 'w');
    ftruncateSync(hfd, 256 * 1024 * 1024);
    closeSync(hfd);
    let result: Promise<boolean> | undefined;
    const { port } = await h.start(collect((req, out) => {
      if (req.target === '/big') result = sendPart(out, req, 0, 256 * 1024 * 1024, path);
      else out.respond(req.conn, req.seq, ok(2), 'ok', false);
    }));
    const c = await h.connect(port);
    await c.write('GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitFor('some bytes', () => (c.received.length > 0 ? true : undefined));
    c.socket.pause();
    c.destroy();
    expect(await result).toBe(false);
    const c2 = await h.connect(port);
    await c2.write('GET /ok HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(Buffer.from((await c2.responses(1))[0]!.body).toString()).toBe('ok');
  });
});
