// @ts-check
/**
 * Load clients of the streaming scenarios, on raw sockets (no HTTP client library in the way):
 * SSE fan-out (many subscribers, one publisher), 1 MiB streamed downloads and 1 MiB uploads on
 * keep-alive connections. Each returns what was delivered and the seconds it took; the caller
 * measures the server's CPU around it.
 */
import { connect, openInBatches, sleep } from '../raw-socket.mjs';

export const MiB = 1024 * 1024;

/**
 * The parse state of one response on a {@link Conn}: its head so far, the Content-Length (-1:
 * chunked), the body bytes counted, the body's last 7 characters and its first 4 KiB.
 */
function freshResponse() {
  return { head: '', headDone: false, length: -1, got: 0, tail: '', small: '' };
}

/**
 * A keep-alive connection: `request(parts)` sends a request and resolves with the start of the
 * response body (up to 4 KiB) once the response is complete (Content-Length reached, or the chunked
 * terminator; the bodies here are ASCII and never contain it). Bytes are counted, not kept: linear
 * in what arrives.
 */
class Conn {
  /** @param {import('node:net').Socket} socket */
  constructor(socket) {
    this.socket = socket;
    /** @type {((body: string) => void) | null} */
    this.resolve = null;
    this.res = freshResponse();
    socket.setEncoding('latin1');
    socket.on('data', (/** @type {string} */ d) => this.onData(d));
    socket.on('error', () => {});
  }

  /** @param {string} d */
  onData(d) {
    const s = this.res;
    let body = d;
    if (!s.headDone) {
      s.head += d;
      const end = s.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.headDone = true;
      const m = /\r\ncontent-length: *(\d+)/i.exec(s.head.slice(0, end));
      s.length = m ? Number(m[1]) : -1;
      body = s.head.slice(end + 4);
    }
    s.got += body.length;
    if (s.small.length < 4096) s.small += body;
    s.tail = body.length >= 7 ? body.slice(-7) : (s.tail + body).slice(-7);
    const done = s.length >= 0 ? s.got >= s.length : s.tail.endsWith('\r\n0\r\n\r\n');
    if (!done) return;
    const r = this.resolve;
    this.resolve = null;
    this.res = freshResponse();
    r?.(s.small);
  }

  /** @param {(string | Uint8Array)[]} parts @returns {Promise<string>} */
  async request(parts) {
    const finished = new Promise((resolve) => (this.resolve = resolve));
    for (const p of parts) {
      if (!this.socket.write(p)) await new Promise((r) => this.socket.once('drain', r));
    }
    return /** @type {Promise<string>} */ (finished);
  }
}

/**
 * Clients on `conns` keep-alive connections repeat `parts` for `seconds`; resolves to the count.
 * @param {number} port @param {number} conns @param {number} seconds @param {(string | Uint8Array)[]} parts
 */
async function loop(port, conns, seconds, parts) {
  const sockets = await openInBatches(conns, conns, () => connect(port));
  const until = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  await Promise.all(sockets.map(async (s) => {
    const c = new Conn(s);
    while (performance.now() < until) {
      await c.request(parts);
      count++;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  return { count, seconds: elapsed };
}

/**
 * 1 MiB streamed downloads (GET /download) on `conns` connections.
 * @param {number} port @param {number} conns @param {number} seconds
 */
export async function downloads(port, conns, seconds) {
  const { count, seconds: s } = await loop(port, conns, seconds, ['GET /download HTTP/1.1\r\nHost: bench\r\n\r\n']);
  return { bytes: count * MiB, seconds: s };
}

const UPLOAD = Buffer.alloc(MiB, 121);
/**
 * 1 MiB uploads read as a stream by the server (POST /upload) on `conns` connections.
 * @param {number} port @param {number} conns @param {number} seconds
 */
export async function uploads(port, conns, seconds) {
  const head = `POST /upload HTTP/1.1\r\nHost: bench\r\nContent-Type: application/octet-stream\r\nContent-Length: ${MiB}\r\n\r\n`;
  const { count, seconds: s } = await loop(port, conns, seconds, [head, UPLOAD]);
  return { bytes: count * MiB, seconds: s };
}

/**
 * SSE fan-out: `clients` subscribers (GET /sse); one publisher (GET /publish?k=K) broadcasts K events
 * per round, the next round once every subscriber received them; for `seconds`.
 * @param {number} port @param {number} clients @param {number} seconds @param {number} k
 */
export async function sseFanOut(port, clients, seconds, k = 10) {
  let delivered = 0;
  /** @type {(() => void) | null} */
  let wake = null;
  let target = 0;
  /** A subscriber: counts the events it receives. @param {import('node:net').Socket} s */
  const subscribe = (s) => {
    s.setEncoding('latin1');
    let last = '';
    s.on('data', (/** @type {string} */ d) => {
      // events end with a blank line: count "\n\n" (also across reads)
      let n = 0;
      if (last === '\n' && d[0] === '\n') n++;
      for (let at = d.indexOf('\n\n'); at >= 0; at = d.indexOf('\n\n', at + 2)) n++;
      last = d.slice(-1);
      delivered += n;
      if (wake && delivered >= target) {
        const w = wake;
        wake = null;
        w();
      }
    });
    s.on('error', () => {});
    s.write('GET /sse HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n');
    return s;
  };
  const subs = await openInBatches(clients, 100, async () => subscribe(await connect(port)));
  const pub = new Conn(await connect(port));
  // wait until every subscriber is registered (the publish answer is the subscriber count)
  for (let tries = 0; ; tries++) {
    const answer = await pub.request(['GET /publish?k=0 HTTP/1.1\r\nHost: bench\r\n\r\n']);
    if (answer === String(clients)) break;
    if (tries > 500) throw new Error(`only part of the ${clients} SSE clients subscribed: ${answer.slice(-40)}`);
    await sleep(20);
  }
  delivered = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  let rounds = 0;
  while (performance.now() < until) {
    target = (rounds + 1) * k * clients;
    const all = new Promise((resolve) => (wake = () => resolve(undefined)));
    await pub.request([`GET /publish?k=${k} HTTP/1.1\r\nHost: bench\r\n\r\n`]);
    if (delivered < target) await all;
    wake = null;
    rounds++;
  }
  const elapsed = (performance.now() - started) / 1000;
  for (const s of subs) s.destroy();
  pub.socket.destroy();
  return { events: delivered, seconds: elapsed };
}
