import type { Transform } from 'node:stream';
import { toBytes } from '../dispatch/stream-sender.js';
import type { PullSource } from '../response/stream-source.js';
import type { StreamEncoder } from './encoders.js';

const TURN = Symbol('turn');
const nextTurn = (): Promise<typeof TURN> => new Promise((resolve) => setImmediate(resolve, TURN));

/** What a source produced within its first event-loop turn (see `peekSource`). */
export interface Peeked {
  /** The chunks read so far, as bytes. */
  readonly chunks: Uint8Array[];
  /** Their total length. */
  readonly size: number;
  /** The source ended within the turn (then `chunks` is the whole body). */
  readonly done: boolean;
  /** The read in progress when the turn ended (undefined when `done`). */
  readonly pending: Promise<IteratorResult<unknown>> | undefined;
}

/**
 * Reads what `src` produces within one event-loop turn (at most `max` bytes), like the stream sender
 * does before it sends a head: a small body that is complete by then can be treated as a buffered
 * one. A source error or a chunk that is neither bytes nor a string cancels the source and rejects.
 */
export async function peekSource(src: PullSource, max: number): Promise<Peeked> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    let pending = src.next();
    const turn = nextTurn();
    for (;;) {
      const r = await Promise.race([pending, turn]);
      if (r === TURN) return { chunks, size, done: false, pending };
      if (r.done === true) return { chunks, size, done: true, pending: undefined };
      const chunk = toBytes(r.value);
      if (chunk.byteLength > 0) {
        chunks.push(chunk);
        size += chunk.byteLength;
      }
      pending = src.next();
      if (size >= max) return { chunks, size, done: false, pending };
    }
  } catch (err) {
    src.cancel(err);
    throw err;
  }
}

/**
 * The compressed form of a streamed body: the encoder's zlib transform (a Node `Readable`, which
 * jato streams like any other), fed from `peeked` and then from `src`.
 *
 * - **Backpressure**: the source is pulled only while the transform takes input (`write()` true, or
 *   after `'drain'`); the transform fills only while its reader (the connection) reads. Memory stays
 *   bounded by zlib's buffers.
 * - **Flushing**: whenever the source pauses (its next chunk is not there within one event-loop
 *   turn) the compressor is flushed (a sync flush), so what was produced reaches the client now — a
 *   server-sent event, an NDJSON line — while a fast source (a file) is compressed in large blocks.
 * - **Ending**: destroying the transform (the client left) cancels the source; a source error
 *   destroys the transform with it (the stream sender then answers 500 or aborts the response).
 * @internal
 */
export function compressStream(src: PullSource, peeked: Peeked, encoder: StreamEncoder): Transform {
  const { z, flushKind } = encoder;
  let ended = false;
  z.once('close', () => {
    if (!ended) src.cancel(new DOMException('The compressed stream was closed', 'AbortError'));
  });
  const waitDrain = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        z.off('drain', done);
        z.off('close', done);
        resolve();
      };
      z.on('drain', done);
      z.on('close', done);
    });

  const pump = async (): Promise<void> => {
    let unflushed = false;
    for (const chunk of peeked.chunks) {
      unflushed = true;
      if (!z.write(chunk)) await waitDrain();
      if (z.destroyed) return;
    }
    let pending = peeked.pending;
    for (;;) {
      if (pending === undefined) pending = src.next();
      let r: IteratorResult<unknown> | typeof TURN = unflushed ? await Promise.race([pending, nextTurn()]) : await pending;
      if (z.destroyed) return;
      if (r === TURN) {
        z.flush(flushKind); // the source paused: send what it produced so far
        unflushed = false;
        r = await pending;
        if (z.destroyed) return;
      }
      pending = undefined;
      if (r.done === true) {
        ended = true;
        z.end();
        return;
      }
      const chunk = toBytes(r.value);
      if (chunk.byteLength === 0) continue;
      unflushed = true;
      if (!z.write(chunk)) await waitDrain();
      if (z.destroyed) return;
    }
  };
  if (peeked.done) {
    ended = true;
    for (const chunk of peeked.chunks) z.write(chunk);
    z.end();
  } else {
    pump().catch((err: unknown) => {
      z.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  }
  return z;
}
