import { ResponseStreamBase } from '../response-stream-base.js';
import type { ResponseStreamEvents } from '../stream-output.js';

/** What an OutStream needs from its connection (the JS transport's Connection). */
export interface StreamOwner {
  streamWrite(s: OutStream, chunk: string | Uint8Array): boolean;
  streamEnd(s: OutStream): void;
  streamAbort(s: OutStream): void;
}

/**
 * One streamed response of the JS transport. Before its turn (earlier responses of the connection
 * not out yet) what is written waits in `pending`; from its turn on it goes to the connection's
 * output like any response. The connection sets `wantsDrain` when it refuses a write.
 */
export class OutStream extends ResponseStreamBase {
  /** `end()` was called (the connection reads it when the stream's turn comes). */
  ended = false;
  /** `abort()` was called. */
  aborted = false;
  /** Bytes written before its turn (null once it is the connection's current response). */
  pending: Array<string | Uint8Array> | null = [];
  pendingBytes = 0;

  constructor(
    private readonly owner: StreamOwner,
    readonly seq: number,
    readonly head: string,
    readonly close: boolean,
    events: ResponseStreamEvents,
  ) {
    super(events);
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.closed) return false;
    return this.owner.streamWrite(this, chunk);
  }

  /**
   * One piece: a copy of prefix + chunk + suffix (the socket keeps what it writes until sent). A
   * handed-over chunk is copied too (the contract allows it; one write per chunk either way).
   */
  writeFramed(prefix: string, chunk: Uint8Array, suffix: string, _handedOver?: boolean): boolean {
    if (this.closed) return false;
    const a = Buffer.byteLength(prefix, 'utf8');
    const piece = Buffer.allocUnsafe(a + chunk.byteLength + Buffer.byteLength(suffix, 'utf8'));
    piece.write(prefix, 0, 'utf8');
    piece.set(chunk, a);
    piece.write(suffix, a + chunk.byteLength, 'utf8');
    return this.owner.streamWrite(this, piece);
  }

  protected endOutput(): void {
    this.ended = true;
    this.owner.streamEnd(this);
  }

  protected abortOutput(): void {
    this.aborted = true;
    this.owner.streamAbort(this);
  }
}
