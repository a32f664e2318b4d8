// Raw client sockets for the streaming tests: what a connection received, whether the server ended
// it, waits driven by socket events (no sleeps); seeded bytes and their SHA-256.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { prng } from './prng.js';

/** SHA-256 of `b`, hex. */
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Deterministic bytes. */
export function bytes(n: number, seed: number): Buffer {
  const rnd = prng(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
  return b;
}

/** A raw socket with helpers to wait for bytes (event-driven). */
export class Raw {
  received = Buffer.alloc(0);
  ended = false;
  private wakers: Array<() => void> = [];
  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.wake();
    });
    const end = (): void => {
      this.ended = true;
      this.wake();
    };
    socket.on('end', end); // the server's FIN (it then waits a little for ours)
    socket.on('close', end);
    socket.on('error', () => {});
  }
  static connect(port: number): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(new Raw(s)));
      s.once('error', reject);
    });
  }
  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => (this.socket.destroyed ? resolve() : this.socket.write(data, () => resolve())));
  }
  private wake(): void {
    for (const w of this.wakers.splice(0)) w();
  }
  /** Resolves once `check` holds (rejects after 30 s with what was received). */
  async until(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${this.received.toString('latin1').slice(0, 300)}`);
      const timer = new Promise<void>((r) => setTimeout(r, 1000).unref());
      await Promise.race([new Promise<void>((r) => this.wakers.push(r)), timer]);
    }
  }
  text(): string {
    return this.received.toString('latin1');
  }
}

/** Count of complete `HTTP/1.1 NNN` status lines other than 100 in `text`. */
export const finals = (text: string): string[] => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]!).filter((s) => s !== '100');
