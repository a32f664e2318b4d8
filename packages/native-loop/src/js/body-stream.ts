import type { ParsedRequest } from '@jato/parser';
import { BODY_DONE, BODY_MORE, type BodyChunks } from '../stream-input.js';

/**
 * One streamed request body of a JS-transport connection (see stream-input.ts): the chunks received
 * and not yet handed to JS, how far JS has consumed, and whether the handler answered without
 * reading it (then the rest is discarded).
 */
export class InputStream {
  /** Sequence number once the request is handed to JS (-1 while it waits in the backlog). */
  seq = -1;
  /** Received, not yet handed to JS. */
  queue: Uint8Array[] = [];
  /** `BODY_MORE` while the body is coming; `BODY_DONE` or a failure status once it ended. */
  end = BODY_MORE;
  /** Whether the end was handed to JS. */
  endDelivered = false;
  /** Bytes handed to JS (or queued for it) that JS has not said it consumed. */
  unread = 0;
  /** JS read it at least once (100 Continue decided). */
  started = false;
  /** The response was written: the rest of the body is discarded, not delivered. */
  discarding = false;
  /** Bytes discarded after the response. */
  discarded = 0;

  constructor(
    readonly request: ParsedRequest,
    readonly expectContinue: boolean,
    /** Declared length, or undefined for chunked. */
    readonly contentLength: number | undefined,
    /** Bytes of a Content-Length body received so far (including those handed to JS). */
    public received: number,
  ) {}

  /** Body bytes arrived (or a ready body for a request that was complete in one read). */
  add(data: Uint8Array): void {
    if (data.length === 0) return;
    this.received += data.length;
    if (this.discarding) {
      this.discarded += data.length;
      return;
    }
    this.queue.push(data);
    this.unread += data.length;
  }

  /** Nothing left to hand to JS or to receive. */
  get finished(): boolean {
    return this.end !== BODY_MORE && (this.endDelivered || this.discarding);
  }
}

/** The chunks one read delivers to `onBodyChunks`. */
export class ChunkList implements BodyChunks {
  readonly conns: number[] = [];
  readonly seqs: number[] = [];
  readonly datas: Uint8Array[] = [];
  readonly ends: number[] = [];

  get count(): number {
    return this.datas.length;
  }

  /** Moves what `s` has for JS into the list. */
  take(conn: number, s: InputStream): void {
    const q = s.queue;
    s.queue = [];
    for (let k = 0; k < q.length; k++) this.push(conn, s.seq, q[k]!, BODY_MORE);
    if (s.end !== BODY_MORE && !s.endDelivered) {
      s.endDelivered = true;
      if (this.count > 0 && this.ends[this.count - 1] === BODY_MORE && s.end === BODY_DONE && this.seqs[this.count - 1] === s.seq) {
        this.ends[this.count - 1] = BODY_DONE;
      } else this.push(conn, s.seq, EMPTY, s.end);
    }
  }

  private push(conn: number, seq: number, data: Uint8Array, end: number): void {
    this.conns.push(conn);
    this.seqs.push(seq);
    this.datas.push(data);
    this.ends.push(end);
  }

  conn(k: number): number {
    return this.conns[k]!;
  }

  seq(k: number): number {
    return this.seqs[k]!;
  }

  data(k: number): Uint8Array {
    return this.datas[k]!;
  }

  end(k: number): number {
    return this.ends[k]!;
  }
}

const EMPTY = new Uint8Array(0);
