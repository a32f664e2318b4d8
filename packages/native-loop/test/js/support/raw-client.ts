import net from 'node:net';
import { parseResponses, type RawResponse } from '../../../src/js/parse-responses.js';

/** How long a test helper waits for the server before failing with what it saw. */
export const WAIT_MS = 15_000;

/**
 * A raw-bytes TCP client for transport tests: writes whatever it is given (pipelined or split at
 * any byte) and waits for complete responses or for the server to end the connection.
 */
export class RawClient {
  private chunks: Buffer[] = [];
  private joined = Buffer.alloc(0);
  /** Bytes received so far (byte count without joining: `receivedLength`). */
  receivedLength = 0;
  /** Time (ms since epoch) the server's FIN or a reset arrived; undefined while open. */
  endedAt: number | undefined;
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.receivedLength += chunk.length;
      this.wake();
    });
    socket.on('end', () => {
      this.endedAt ??= Date.now();
      this.wake();
    });
    socket.on('error', () => {
      this.endedAt ??= Date.now();
      this.wake();
    });
    socket.on('close', () => {
      this.endedAt ??= Date.now();
      this.closed = true;
      this.wake();
    });
  }

  /** Everything received so far, as one Buffer. */
  get received(): Buffer {
    if (this.chunks.length > 0) {
      this.joined = Buffer.concat([this.joined, ...this.chunks]);
      this.chunks = [];
    }
    return this.joined;
  }

  static connect(port: number, host = '127.0.0.1', options: { allowHalfOpen?: boolean } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, allowHalfOpen: options.allowHalfOpen ?? false });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Waits until `predicate()` holds, re-checking on every event; rejects after WAIT_MS. */
  waitFor<T>(what: string, predicate: () => T | undefined, ms = WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const value = predicate();
        if (value === undefined) return false;
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== listener);
        reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received.toString('latin1').slice(0, 2000))}`));
      }, ms);
      const listener = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== listener);
      };
      if (!check()) this.waiters.push(listener);
    });
  }

  /**
   * Resolves once at least `n` complete responses arrived (interim 1xx responses count too).
   * `minBytes` skips parsing until that many bytes are in (for large bodies).
   */
  responses(n: number, methods?: readonly string[], minBytes = 0): Promise<RawResponse[]> {
    return this.waitFor(`${n} responses`, () => {
      if (this.receivedLength < minBytes) return undefined;
      const parsed = tryParse(this.received, methods);
      return parsed !== undefined && parsed.length >= n ? parsed : undefined;
    });
  }

  /** Resolves once the server ended or reset the connection. */
  ended(ms = WAIT_MS): Promise<number> {
    return this.waitFor('the connection to end', () => this.endedAt, ms);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The complete responses in `bytes`, or undefined when the last one is still incomplete. */
export function tryParse(bytes: Uint8Array, methods?: readonly string[]): RawResponse[] | undefined {
  try {
    return parseResponses(bytes, methods === undefined ? {} : { methods });
  } catch (error) {
    if (/incomplete|shorter/.test((error as Error).message)) return undefined;
    throw error;
  }
}
