// @ts-check
/**
 * Load clients of the streaming scenarios, on raw sockets (no HTTP client library in the way):
 * SSE fan-out (many subscribers, one publisher), 1 MiB streamed downloads and 1 MiB uploads on
 * keep-alive connections. Each returns what was delivered and the seconds it took; the caller
 * measures the server's CPU around it.
 */
import net from 'node:net';

export const MiB = 1024 * 1024;

/** @param {number} port */
function connect(port) {
  return /** @type {Promise<net.Socket>} */ (new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  }));
}

/**
 * A keep-alive connection that sends a request and resolves with the response once `done(text)`
 * says it is complete (the text is latin1; bodies here are ASCII).
 */
class Conn {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.text = '';
    /** @type {((text: string) => boolean) | null} */
    this.done = null;
    /** @type {(() => void) | null} */
    this.resolve = null;
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      this.text += d;
      if (this.done && this.done(this.text)) {
        const r = this.resolve;
        this.done = null;
        this.resolve = null;
        this.text = '';
        r?.();
      }
    });
    socket.on('error', () => {});
  }

  /**
   * @param {(string | Uint8Array)[]} parts
   * @param {(text: string) => boolean} done
   */
  async request(parts, done) {
    const finished = new Promise((resolve) => {
      this.resolve = () => resolve(undefined);
      this.done = done;
    });
    for (const p of parts) {
      if (!this.socket.write(p)) await new Promise((r) => this.socket.once('drain', r));
    }
    await finished;
  }
}

/** Whether `text` holds a complete response: Content-Length reached, or the chunked terminator. */
function complete(text) {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const m = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  if (m) return text.length - end - 4 >= Number(m[1]);
  return text.endsWith('\r\n0\r\n\r\n');
}

/**
 * Clients on `conns` keep-alive connections repeat `parts` for `seconds`; resolves to the count.
 * @param {number} port @param {number} conns @param {number} seconds @param {(string | Uint8Array)[]} parts
 */
async function loop(port, conns, seconds, parts) {
  const sockets = await Promise.all(Array.from({ length: conns }, () => connect(port)));
  const until = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  await Promise.all(sockets.map(async (s) => {
    const c = new Conn(s);
    while (performance.now() < until) {
      await c.request(parts, complete);
      count++;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  return { count, seconds: elapsed };
}

/** 1 MiB streamed downloads (GET /download) on `conns` connections. */
export async function downloads(port, conns, seconds) {
  const { count, seconds: s } = await loop(port, conns, seconds, ['GET /download HTTP/1.1\r\nHost: bench\r\n\r\n']);
  return { bytes: count * MiB, seconds: s };
}

const UPLOAD = Buffer.alloc(MiB, 121);
/** 1 MiB uploads read as a stream by the server (POST /upload) on `conns` connections. */
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
  const subs = [];
  for (let i = 0; i < clients; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, clients - i) }, () => connect(port)));
    for (const s of batch) {
      s.setEncoding('latin1');
      let last = '';
      s.on('data', (d) => {
        // events end with a blank line: count "\n\n" (also across reads)
        let n = 0;
        if (last === '\n' && d[0] === '\n') n++;
        for (let at = d.indexOf('\n\n'); at >= 0; at = d.indexOf('\n\n', at + 2)) n++;
        last = d[d.length - 1];
        delivered += n;
        if (wake && delivered >= target) {
          const w = wake;
          wake = null;
          w();
        }
      });
      s.on('error', () => {});
      s.write('GET /sse HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n');
      subs.push(s);
    }
  }
  const pub = new Conn(await connect(port));
  // wait until every subscriber is registered (the publish answer is the subscriber count)
  for (let tries = 0; ; tries++) {
    let answer = '';
    await pub.request(['GET /publish?k=0 HTTP/1.1\r\nHost: bench\r\n\r\n'], (t) => (complete(t) ? ((answer = t), true) : false));
    if (answer.endsWith(`\r\n\r\n${clients}`) || answer.endsWith(`${clients}\r\n0\r\n\r\n`)) break;
    if (tries > 500) throw new Error(`only part of the ${clients} SSE clients subscribed: ${answer.slice(-40)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  delivered = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  let rounds = 0;
  while (performance.now() < until) {
    target = (rounds + 1) * k * clients;
    const all = new Promise((resolve) => (wake = () => resolve(undefined)));
    await pub.request([`GET /publish?k=${k} HTTP/1.1\r\nHost: bench\r\n\r\n`], complete);
    if (delivered < target) await all;
    wake = null;
    rounds++;
  }
  const elapsed = (performance.now() - started) / 1000;
  for (const s of subs) s.destroy();
  pub.socket.destroy();
  return { events: delivered, seconds: elapsed };
}
