// A graceful close() while a streamed upload is in progress: the upload finishes (its body is still
// read) up to the close deadline, its response says Connection: close, nothing after it is served
// on that connection, then the connection and the server close. Both transports, real sockets.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { App, type ListeningApp, type Request } from '../../src/index.js';
import { Raw, bytes, finals, sha } from '../support/raw-socket.js';
import { TRANSPORTS } from '../support/transports.js';

const MiB = 1024 * 1024;

describe.each(TRANSPORTS)('server.close() during a streamed upload (%s transport)', (transport) => {
  let handle: ListeningApp | undefined;
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await handle?.close(1000);
    handle = undefined;
  });

  for (const framing of ['content-length', 'chunked'] as const) {
    it(`the upload (${framing}) finishes and is answered with Connection: close, nothing after it is served, then the server closes`, async () => {
      const app = new App({ transport, logger: false });
      let firstChunk: () => void = () => {};
      const reading = new Promise<void>((r) => (firstChunk = r));
      app.post('/upload', async (req: Request) => {
        const h = createHash('sha256');
        let n = 0;
        for await (const chunk of req.stream()) {
          if (n === 0) firstChunk();
          h.update(chunk);
          n += chunk.length;
        }
        return `${n} ${h.digest('hex')}`;
      }, { bodyLimit: 64 * MiB });
      app.get('/next', () => 'next');
      handle = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
      expect(handle.transport).toBe(transport);
      const body = bytes(3 * MiB + 123, framing === 'chunked' ? 2 : 1);
      const c = await Raw.connect(handle.port);
      sockets.push(c.socket);
      const piece = (b: Buffer): Buffer => (framing === 'chunked' ? Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]) : b);
      const head = framing === 'chunked'
        ? 'POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n'
        : `POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`;
      await c.write(head);
      await c.write(piece(body.subarray(0, MiB)));
      await reading; // the handler is reading the body
      const closed = handle.close(30_000);
      let closeDone = false;
      void closed.then(() => (closeDone = true));
      // the rest of the body after close() began, then a pipelined request
      await c.write(piece(body.subarray(MiB)));
      if (framing === 'chunked') await c.write('0\r\n\r\n');
      await c.write('GET /next HTTP/1.1\r\nHost: t\r\n\r\n');
      await c.until('the connection to end', () => c.ended);
      const text = c.text();
      expect(finals(text)).toEqual(['200']);
      expect(text).toContain(`${body.length} ${sha(body)}`);
      const responseHead = text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase();
      expect(responseHead).toContain('connection: close');
      expect(text).not.toContain('next');
      c.socket.end(); // our FIN ends the server's linger at once
      await closed;
      expect(closeDone).toBe(true);
      handle = undefined;
    }, 60_000);
  }

  it('an upload that does not finish by the close deadline is cut then: its stream errors, close() resolves', async () => {
    const app = new App({ transport, logger: false });
    let firstChunk: () => void = () => {};
    const reading = new Promise<void>((r) => (firstChunk = r));
    let outcome: (name: string) => void = () => {};
    const failed = new Promise<string>((r) => (outcome = r));
    app.post('/upload', async (req: Request) => {
      try {
        for await (const chunk of req.stream()) if (chunk.length > 0) firstChunk();
        outcome('none');
      } catch (err) {
        outcome((err as Error).name);
      }
      return 'unreachable';
    }, { bodyLimit: 64 * MiB });
    handle = await app.listen({ port: 0, host: '127.0.0.1', handleSignals: false });
    const c = await Raw.connect(handle.port);
    sockets.push(c.socket);
    await c.write(`POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: ${8 * MiB}\r\n\r\n`);
    await c.write(bytes(MiB, 3));
    await reading;
    await handle.close(500); // the rest of the body never comes: the deadline ends the connection
    handle = undefined;
    await c.until('the connection to end', () => c.ended);
    expect(await failed).toBe('AbortError');
    expect(finals(c.text())).toEqual([]);
  }, 60_000);
});
