import net from 'node:net';
import { parseResponses, type TestResponse } from './parse-response.js';

/** Options of `rawRequest`. */
export interface RawRequestOptions {
  /** Resolve once this many responses are parsed (default: wait for the server to close). */
  responses?: number;
  /** Which responses answer HEAD requests (they carry no body). */
  head?: readonly boolean[];
  /** Host to connect to ('127.0.0.1'). */
  host?: string;
  /** Half-close the socket after writing (default false). */
  end?: boolean;
  /** Give up after this many ms (30 000): rejects with what was received so far. */
  timeoutMs?: number;
}

/** What `rawRequest` received. */
export interface RawResult {
  /** Every byte received. */
  raw: Buffer;
  /** The complete responses parsed from it. */
  responses: TestResponse[];
  /** Whether the server closed the connection. */
  closed: boolean;
}

/**
 * Write `bytes` (one or many pipelined requests, as given) to `port` and collect the responses:
 * resolves after `options.responses` responses are parsed, or when the server closes the connection.
 * Sends `bytes` in one write unless it is an array (then one write per element, in order).
 */
export function rawRequest(
  port: number,
  bytes: string | Uint8Array | ReadonlyArray<string | Uint8Array>,
  options: RawRequestOptions = {},
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      done(new Error(`rawRequest timed out; received ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 500))}`));
    }, options.timeoutMs ?? 30_000);
    const parsed = (ended: boolean): TestResponse[] =>
      parseResponses(Buffer.concat(chunks), { ...(options.head !== undefined ? { head: options.head } : {}), ended }).responses;
    const done = (err: Error | null, closed = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err !== null) reject(err);
      else {
        const raw = Buffer.concat(chunks);
        resolve({ raw, responses: parsed(closed), closed });
      }
    };
    socket.on('connect', () => {
      const list = Array.isArray(bytes) ? (bytes as ReadonlyArray<string | Uint8Array>) : [bytes as string | Uint8Array];
      for (const piece of list) socket.write(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
      if (options.end === true) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (options.responses !== undefined && parsed(false).length >= options.responses) done(null);
    });
    socket.on('end', () => done(null, true));
    socket.on('close', () => done(null, true));
    socket.on('error', (err) => {
      // a reset after the server answered and closed is still a close
      if (chunks.length > 0) done(null, true);
      else done(err);
    });
  });
}
