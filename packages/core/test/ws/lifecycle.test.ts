/**
 * Close handshake, terminate, idle timeout with pings and the graceful close of the app, on both
 * transports: `close` fires once per socket with the right code; what is sent after our close frame
 * is dropped; a handler that throws closes its socket with 1011.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocketClient from 'ws';
import { App, WsSendStatus, type WebSocket } from '../../src/index.js';
import { connectWebSocket, startTestServer, type TestServer } from '../support/testing.js';
import { TRANSPORTS } from '../support/transports.js';

async function open(url: string): Promise<WebSocketClient> {
  const c = new WebSocketClient(url);
  await new Promise((resolve, reject) => {
    c.once('open', resolve);
    c.once('error', reject);
  });
  return c;
}

const closeOf = (c: WebSocketClient): Promise<[number, string]> =>
  new Promise((resolve) => c.once('close', (code, reason) => resolve([code, reason.toString()])));

describe.each(TRANSPORTS)('WebSocket lifecycle (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function app(options: ConstructorParameters<typeof App>[0] = {}) {
    return new App({ transport, logger: false, ...options });
  }

  it('the peer closes: close(code, reason) once, the code echoed', async () => {
    const a = app();
    const closes: Array<[number, string]> = [];
    a.ws('/', { close: (_ws, code, reason) => void closes.push([code, reason]) });
    server = await startTestServer(a);
    const c = await open(`ws://127.0.0.1:${server.port}/`);
    const closed = closeOf(c);
    c.close(4001, 'done here');
    expect((await closed)[0]).toBe(4001);
    await expect.poll(() => closes).toEqual([[4001, 'done here']]);
  });

  it('the server closes: the peer gets the code and reason, close() fires with the peer\'s answer, sends after it are dropped', async () => {
    const a = app();
    const closes: number[] = [];
    const statuses: number[] = [];
    a.ws('/', {
      message(ws) {
        ws.close(4000, 'bye now');
        statuses.push(ws.send('late'));
      },
      close: (_ws, code) => void closes.push(code),
    });
    server = await startTestServer(a);
    const c = await open(`ws://127.0.0.1:${server.port}/`);
    const messages: string[] = [];
    c.on('message', (d) => messages.push(String(d)));
    const closed = closeOf(c);
    c.send('x');
    expect(await closed).toEqual([4000, 'bye now']);
    await expect.poll(() => closes).toEqual([4000]);
    expect(statuses).toEqual([WsSendStatus.Dropped]);
    expect(messages).toEqual([]);
  });

  it('validates close codes and reasons where they are written', async () => {
    const a = app();
    const errors: string[] = [];
    a.ws('/', {
      open(ws) {
        for (const [code, reason] of [[1005, ''], [1006, ''], [999, ''], [5000, ''], [1000, 'x'.repeat(124)]] as const) {
          try {
            ws.close(code, reason);
          } catch (e) {
            errors.push((e as Error).constructor.name);
          }
        }
        ws.close(1000, 'é'.repeat(61)); // 122 bytes: fine
      },
    });
    server = await startTestServer(a);
    const c = new WebSocketClient(`ws://127.0.0.1:${server.port}/`);
    const [code, reason] = await closeOf(c);
    expect(errors).toEqual(['RangeError', 'RangeError', 'RangeError', 'RangeError', 'RangeError']);
    expect(code).toBe(1000);
    expect(reason).toBe('é'.repeat(61));
  });

  it('terminate() closes the TCP connection at once: close fires with 1006', async () => {
    const a = app();
    const closes: number[] = [];
    a.ws('/', { message: (ws) => ws.terminate(), close: (_ws, code) => void closes.push(code) });
    server = await startTestServer(a);
    const c = await open(`ws://127.0.0.1:${server.port}/`);
    const closed = closeOf(c);
    c.send('x');
    expect((await closed)[0]).toBe(1006);
    await expect.poll(() => closes).toEqual([1006]);
  });

  it('a peer that vanishes without a close frame: close fires with 1006', async () => {
    const a = app();
    const closes: number[] = [];
    a.ws('/', { close: (_ws, code) => void closes.push(code) });
    server = await startTestServer(a);
    const c = await open(`ws://127.0.0.1:${server.port}/`);
    c.terminate();
    await expect.poll(() => closes).toEqual([1006]);
  });

  it('a handler that throws: logged, the socket closed with 1011, the server goes on', async () => {
    const logged: unknown[] = [];
    const a = app({ logger: { info() {}, warn() {}, error: (fields: unknown) => void logged.push(fields), debug() {} } as never });
    a.ws('/', { message: () => { throw new Error('boom'); } });
    server = await startTestServer(a);
    const c = await open(`ws://127.0.0.1:${server.port}/`);
    const closed = closeOf(c);
    c.send('x');
    expect((await closed)[0]).toBe(1011);
    expect(logged.length).toBe(1);
    const c2 = await open(`ws://127.0.0.1:${server.port}/`);
    c2.close();
  });

  it('idle timeout: a ping first, then 1001 when the peer stays silent', async () => {
    const a = app();
    const closes: number[] = [];
    a.ws('/', { close: (_ws, code) => void closes.push(code) }, { idleTimeout: 0.3, sendPings: true });
    server = await startTestServer(a);
    const raw = await connectWebSocket(server.port, '/');
    expect(raw.status).toBe(101);
    const ping = await raw.next();
    expect(ping.opcode).toBe(9);
    const { code } = await raw.closeFrame();
    expect(code).toBe(1001);
    raw.send(8, Buffer.from([0x03, 0xe9]));
    await raw.ended;
    await expect.poll(() => closes).toEqual([1001]);
  });

  it('idle timeout: a peer that answers pings stays open', async () => {
    const a = app();
    a.ws('/', { message: (ws, d) => void ws.send(d) }, { idleTimeout: 0.3, sendPings: true });
    server = await startTestServer(a);
    const c = await open(`ws://127.0.0.1:${server.port}/`); // the ws client answers pings itself
    let pings = 0;
    c.on('ping', () => pings++);
    await expect.poll(() => pings, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    const back = new Promise<string>((resolve) => c.once('message', (d) => resolve(String(d))));
    c.send('still here');
    expect(await back).toBe('still here');
    c.close();
  });

  it('graceful close of the app: 1001 to every socket, then the server closes once they answered', async () => {
    const a = app();
    const closes: number[] = [];
    const sockets: WebSocket[] = [];
    a.ws('/', { open: (ws) => void sockets.push(ws), close: (_ws, code) => void closes.push(code) });
    const s = await startTestServer(a);
    const clients = await Promise.all([1, 2, 3].map(() => open(`ws://127.0.0.1:${s.port}/`)));
    await expect.poll(() => sockets.length).toBe(3);
    const codes = clients.map(closeOf);
    await s.close();
    expect((await Promise.all(codes)).map(([c]) => c)).toEqual([1001, 1001, 1001]);
    expect(closes).toEqual([1001, 1001, 1001]);
  });
});
