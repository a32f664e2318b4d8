import net from 'node:net';
import { parseResponses, type RawResponse } from '../../src/js/parse-responses.js';

/** Longest a helper waits for the server before failing with what it saw. */
export const WAIT_MS = 20_000;

/**
 * A tiny raw TCP client for transport tests: writes bytes exactly as given (pipelined, split at any
 * byte) and waits, event-driven, for complete responses or for the server to end the connection.
 */
export class RawClient {
  private chunks: Buffer[] = [];
  private all = Buffer.alloc(0);
  /** Time (Date.now()) the server's FIN, a reset or the close arrived. */
  endedAt: number | undefined;
  errored: Error | undefined;
  /** Bytes received so far (counted even when `discard` is set). */
  bytesReceived = 0;
  /** Count incoming bytes without keeping them (for bulk transfers). */
  discard = false;
  private waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.bytesReceived += d.length;
      if (!this.discard) this.chunks.push(d);
      this.wake();
    });
    const end = (): void => {
      this.endedAt ??= Date.now();
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', (e) => {
      this.errored = e;
      end();
    });
  }

  /** Connects to host:port (allowHalfOpen so the client can half-close and still read). */
  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, allowHalfOpen: true });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  /** Everything received so far. */
  get received(): Buffer {
    if (this.chunks.length) {
      this.all = Buffer.concat([this.all, ...this.chunks]);
      this.chunks = [];
    }
    return this.all;
  }

  /** True once the server ended or closed the connection. */
  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** Half-close: send FIN, keep reading. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Resolves with `check()`'s value once it is not undefined; rejects after `ms` with `what`. */
  waitFor<T>(what: string, check: () => T | undefined, ms = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const test = (): void => {
        let v: T | undefined;
        try {
          v = check();
        } catch (e) {
          if (!this.ended) return;
          cleanup();
          reject(e as Error);
          return;
        }
        if (v === undefined) return;
        cleanup();
        resolve(v);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received.toString('latin1').slice(0, 400))}`));
      }, ms);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(test);
      };
      this.waiters.add(test);
      test();
    });
  }

  /** Waits for `n` complete responses (HEAD-aware via `methods`). */
  responses(n: number, methods?: readonly string[]): Promise<RawResponse[]> {
    return this.waitFor(`${n} responses`, () => {
      const got = tryParse(this.received, methods);
      return got && got.length >= n ? got : undefined;
    });
  }

  /** Waits until the server ended the connection; resolves with the responses received. */
  async untilEnd(): Promise<RawResponse[]> {
    await this.waitFor('the server to end the connection', () => (this.ended ? true : undefined));
    return parseResponses(this.received);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

function tryParse(bytes: Buffer, methods?: readonly string[]): RawResponse[] | undefined {
  try {
    return parseResponses(bytes, methods ? { methods } : {});
  } catch {
    return undefined;
  }
}

/** A GET request with a Host header. */
export const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

/** The workspace's one seeded PRNG (mulberry32, packages/parser/test/support/prng.ts): numbers in [0, 1). */
export { prng as seeded } from '../../../parser/test/support/prng.js';
