// @ts-check
/**
 * The ws bench's load generator: raw TCP clients with pre-built masked frames, so the client costs
 * little per message. `echo`: N connections, each keeping `window` small messages in flight (pipelined
 * sends), counting the echoes. `fanout`: `subscribers` connections on /sub and one publisher on /pub
 * that keeps `window` messages in flight across the fan-out; every subscriber counts deliveries.
 * Replies are counted by bytes (every reply frame has the same size).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { openInBatches, sleep } from '../raw-socket.mjs';

const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/**
 * A masked client text frame of `payload`.
 * @param {string} payload
 */
export function clientFrame(payload) {
  const p = Buffer.from(payload);
  if (p.length > 125) throw new Error('small messages only');
  const out = Buffer.alloc(6 + p.length);
  out[0] = 0x81;
  out[1] = 0x80 | p.length;
  MASK.copy(out, 2);
  for (let i = 0; i < p.length; i++) out[6 + i] = /** @type {number} */ (p[i]) ^ /** @type {number} */ (MASK[i & 3]);
  return out;
}

/**
 * Opens a WebSocket with a raw socket; resolves once the 101 is in (extra bytes are counted).
 * @param {number} port @param {string} path @param {(n: number) => void} onBytes
 * @returns {Promise<net.Socket>}
 */
export function openRaw(port, path, onBytes) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let opened = false;
    let head = Buffer.alloc(0);
    s.on('error', reject);
    s.on('data', (d) => {
      if (opened) {
        onBytes(d.length);
        return;
      }
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.subarray(0, 12).toString().includes('101')) {
        reject(new Error(`handshake refused: ${head.subarray(0, end).toString()}`));
        return;
      }
      opened = true;
      resolve(s);
      if (head.length > end + 4) onBytes(head.length - end - 4);
    });
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

/**
 * @typedef {{ port: number, connections?: number, subscribers?: number, window?: number, seconds?: number,
 *   warmup?: number, payload?: string, measure?: (at: 'start' | 'stop') => void }} LoadOptions
 */

/**
 * Echo: `connections` sockets, `window` messages in flight each, for `seconds` after a warm-up.
 * `measure(start|stop)` brackets the measured interval (the caller reads server CPU there).
 * @param {LoadOptions} options
 * @returns {Promise<{ messages: number, seconds: number }>}
 */
export async function echoLoad({ port, connections = 100, window = 32, seconds = 3, warmup = 0.5, payload = 'hello, websocket', measure }) {
  const frame = clientFrame(payload);
  const replySize = 2 + Buffer.byteLength(payload);
  const burst = Buffer.concat(Array.from({ length: window }, () => frame));
  let counted = 0;
  let running = true;
  const sockets = [];
  for (let i = 0; i < connections; i++) {
    let pendingBytes = 0;
    /** @type {net.Socket | undefined} */
    let s;
    s = await openRaw(port, '/echo', (n) => {
      pendingBytes += n;
      const k = Math.floor(pendingBytes / replySize);
      if (k === 0) return;
      pendingBytes -= k * replySize;
      counted += k;
      if (running) s?.write(k === window ? burst : burst.subarray(0, k * frame.length));
    });
    sockets.push(s);
  }
  for (const s of sockets) s.write(burst);
  await sleep(warmup * 1000);
  const c0 = counted;
  const t0 = process.hrtime.bigint();
  measure?.('start');
  await sleep(seconds * 1000);
  measure?.('stop');
  const t1 = process.hrtime.bigint();
  const c1 = counted;
  running = false;
  for (const s of sockets) s.destroy();
  return { messages: c1 - c0, seconds: Number(t1 - t0) / 1e9 };
}

/**
 * Fan-out: `subscribers` sockets on /sub, one publisher on /pub keeping `window` messages in flight
 * (a message is done when every subscriber got it).
 * @param {LoadOptions} options
 * @returns {Promise<{ deliveries: number, messages: number, seconds: number }>}
 */
export async function fanoutLoad({ port, subscribers = 1000, window = 8, seconds = 3, warmup = 0.5, payload = 'hello, websocket', measure }) {
  const frame = clientFrame(payload);
  const replySize = 2 + Buffer.byteLength(payload);
  let bytes = 0;
  const subs = await openInBatches(subscribers, 50, () => openRaw(port, '/sub', (n) => { bytes += n; }));
  await sleep(200); // the last subscriptions are in before the first publish
  let sent = 0;
  let running = true;
  const pub = await openRaw(port, '/pub', () => {});
  const pump = () => {
    if (!running) return;
    const delivered = Math.floor(bytes / replySize / subscribers);
    let k = delivered + window - sent;
    if (k > 0) {
      const out = Buffer.concat(Array.from({ length: k }, () => frame));
      sent += k;
      pub.write(out);
    }
    setImmediate(pump);
  };
  pump();
  await sleep(warmup * 1000);
  const d0 = Math.floor(bytes / replySize);
  const t0 = process.hrtime.bigint();
  measure?.('start');
  await sleep(seconds * 1000);
  measure?.('stop');
  const t1 = process.hrtime.bigint();
  const d1 = Math.floor(bytes / replySize);
  running = false;
  pub.destroy();
  for (const s of subs) s.destroy();
  return { deliveries: d1 - d0, messages: Math.round((d1 - d0) / subscribers), seconds: Number(t1 - t0) / 1e9 };
}
