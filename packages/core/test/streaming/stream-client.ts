import net from 'node:net';

/** A raw client for streamed responses: everything received, and waits on what arrives (no sleeps). */
export class StreamClient {
  received = Buffer.alloc(0);
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
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
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; received ${JSON.stringify(this.text().slice(-300))}`)), ms);
      const check = (): void => {
        if (predicate(this)) {
          clearTimeout(timer);
          resolve();
        } else if (this.closed) {
          clearTimeout(timer);
          if (predicate(this)) resolve();
          else reject(new Error(`closed; received ${JSON.stringify(this.text().slice(-300))}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  untilClosed(ms?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not closed')), ms ?? 20_000);
      const check = (): void => {
        if (this.closed) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const list = this.waiters;
    this.waiters = [];
    for (const w of list) w();
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
