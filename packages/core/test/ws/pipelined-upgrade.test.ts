/**
 * A WebSocket upgrade pipelined behind a response that is still going out (here a 4 MiB file body
 * sent by the native loop) must not let frames overtake that response: the native transport answers
 * such an upgrade in order with a 503 and closes, and the file arrives intact.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { App, serveStatic } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/testing.js';

const SIZE = 4 << 20;
let server: TestServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it('native: an upgrade pipelined behind a file body is refused in order (503), the file intact, no frame inside it', async () => {
  dir = mkdtempSync(join(tmpdir(), 'jato-ws-pipelined-'));
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(SIZE, 0x61));
  const app = new App({ transport: 'native', logger: false });
  app.get('/static/*', serveStatic(dir));
  app.ws('/ws', { open(ws) { ws.send('hello-from-open'); } });
  server = await startTestServer(app);
  const sock = connect(server.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.write(
    'GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await once(sock, 'close');
  const all = Buffer.concat(chunks);
  const headEnd = all.indexOf('\r\n\r\n') + 4;
  expect(all.subarray(0, headEnd).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 4194304\r\n/i);
  const body = all.subarray(headEnd, headEnd + SIZE);
  expect(body.length).toBe(SIZE);
  expect(body.every((b) => b === 0x61)).toBe(true);
  expect(all.subarray(headEnd + SIZE).toString('latin1')).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*\r\n\r\n$/);
});
