import net from 'node:net';
import { ArrivalWaiters } from './arrival-waiters.js';

/** A raw client for streamed responses: everything received, and waits on what arrives (no sleeps). */
export class StreamClient {
  received = Buffer.alloc(0);
  closed = false;
  private readonly arrivals = new ArrivalWaiters(
    () => this.closed,
    () => `received ${JSON.stringify(this.text().slice(-300))}`,
  );

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.arrivals.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.arrivals.notify();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(new StreamClient(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }

  text(): string {
    return this.received.toString('latin1');
  }

  /** Resolves once `predicate` holds (checked on every arrival and on close); rejects after `ms`. */
  until(predicate: (c: StreamClient) => boolean, ms = 20_000): Promise<void> {
    return this.arrivals.until(() => predicate(this), ms);
  }

  /** Resolves once the connection closed; rejects after `ms`. */
  untilClosed(ms = 20_000): Promise<void> {
    return this.arrivals.until(() => this.closed, ms);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A promise with its resolve. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Decodes a chunked body from `raw` (starting at the body); returns null while incomplete. */
export function dechunk(raw: Buffer): { body: Buffer; rest: Buffer } | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return null;
    const size = parseInt(raw.toString('latin1', at, eol), 16);
    if (!Number.isFinite(size)) throw new Error(`bad chunk size at ${at}`);
    const start = eol + 2;
    if (size === 0) {
      if (raw.length < start + 2) return null;
      return { body: Buffer.concat(parts), rest: raw.subarray(start + 2) };
    }
    if (raw.length < start + size + 2) return null;
    if (raw.toString('latin1', start + size, start + size + 2) !== '\r\n') throw new Error('bad chunk end');
    parts.push(raw.subarray(start, start + size));
    at = start + size + 2;
  }
}

/** Splits a raw response at the end of its head: the head text and the bytes after it. */
export function bodyOf(raw: Buffer): { head: string; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  return { head: raw.toString('latin1', 0, end), body: raw.subarray(end + 4) };
}
