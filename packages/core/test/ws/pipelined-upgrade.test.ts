/**
 * A WebSocket upgrade pipelined behind a response that is still going out (a 4 MiB file body, or an
 * earlier answer not given yet) must not let frames overtake that response: both transports answer
 * such an upgrade in order with a 503 and close; the earlier response arrives intact and no frame
 * follows it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App, serveStatic } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

const SIZE = 4 << 20;
const UPGRADE =
  'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const REFUSED = /^HTTP\/1\.1 503 Service Unavailable\r\n(?:[^\r\n]+\r\n)*connection: close\r\n(?:[^\r\n]+\r\n)*\r\n$/i;

let server: TestServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Sends `bytes` on a new connection and resolves with everything received until the server closes. */
async function exchange(port: number, bytes: string): Promise<Buffer> {
  const sock = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.write(bytes);
  await once(sock, 'close');
  return Buffer.concat(chunks);
}

describe.each(TRANSPORTS)('an upgrade pipelined behind unfinished output (%s transport)', (transport) => {
  it('behind a file body: refused in order (503, close), the file intact, no frame inside or after it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jato-ws-pipelined-'));
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(SIZE, 0x61));
    const app = new App({ transport, logger: false });
    app.get('/static/*', serveStatic(dir));
    app.ws('/ws', { open(ws) { ws.send('hello-from-open'); } });
    server = await startTestServer(app);
    const all = await exchange(server.port, 'GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n' + UPGRADE);
    const headEnd = all.indexOf('\r\n\r\n') + 4;
    expect(all.subarray(0, headEnd).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 4194304\r\n/i);
    const body = all.subarray(headEnd, headEnd + SIZE);
    expect(body.length).toBe(SIZE);
    expect(body.every((b) => b === 0x61)).toBe(true);
    expect(all.subarray(headEnd + SIZE).toString('latin1')).toMatch(REFUSED);
  });

  it('behind an answer not given yet: that answer, then the 503 and close; the socket\'s close handler runs', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const closed: number[] = [];
    const app = new App({ transport, logger: false });
    app.get('/slow', async () => {
      await released;
      return 'slow answer';
    });
    app.ws('/ws', {
      // the upgrade was accepted by core: now the earlier answer is given
      open(ws) {
        ws.send('hello-from-open');
        release();
      },
      close(_ws, code) {
        closed.push(code);
      },
    });
    server = await startTestServer(app);
    const all = (await exchange(server.port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n' + UPGRADE + 'GET /after HTTP/1.1\r\nHost: x\r\n\r\n')).toString('latin1');
    const first = /^HTTP\/1\.1 200 OK\r\n[\s\S]*?\r\n\r\nslow answer/.exec(all);
    expect(first, all).not.toBeNull();
    expect(all.slice(first![0].length)).toMatch(REFUSED);
    await expect.poll(() => closed.length, { timeout: 10_000 }).toBe(1);
  });
});
